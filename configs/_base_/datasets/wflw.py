# WFLW, "-M" setting (256x256 HR crops, 64x64 heatmaps): Table 4.
# Data: `python tools/dataset_converters/wflw2coco.py
# data/wflw/WFLW_annotations data/wflw/WFLW_images data/wflw/annotations`.
# The test json is the whole test set; every face lists its attribute
# subsets (pose, expression, illumination, makeup, occlusion, blur), so one
# test run reports all seven.
#
# This file extends mmpose's metainfo file of the same name (it inherits
# `dataset_info`), so code that resolves mmpose's
# 'configs/_base_/datasets/wflw.py' from the repository root still finds the
# keypoint metainfo here.
_base_ = ['mmpose::_base_/datasets/wflw.py', './face_pipelines_256.py']

dataset_type = 'SHTWFLWDataset'
data_mode = 'topdown'
data_root = 'data/wflw/'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/wflw_train.json',
        data_prefix=dict(img='WFLW_images/'),
        pipeline=_base_.train_pipeline))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/wflw_test.json',
        data_prefix=dict(img='WFLW_images/'),
        test_mode=True,
        pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader

# Labeled pairs for SHT fine-tuning: 8 pairs = a batch of 16 faces. The
# metainfo names their faces' keypoints: mmpose's init_model and
# MMPoseInferencer read it here when the pairs are the training set.
train_pair_dataset = dict(
    type='FacePairDataset',
    metainfo=dict(from_file='{{ fileDirname }}/wflw.py'),
    pair_mode='image',
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/wflw_train.json',
        data_prefix=dict(img='WFLW_images/')),
    pipeline=_base_.pair_view_pipeline)

# Table 4 reports NME_io, AUC_io@10 and FR_io@10.
val_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.1, )),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
