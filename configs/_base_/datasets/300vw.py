# 300VW (68 points per frame), 256x256 HR crops, 64x64 heatmaps.
# Data: `python tools/dataset_converters/300vw2coco.py data/300vw
# data/300vw` (frames are written to <video id>/imgs/). Test faces list
# their category (category1-3). The raw layout also works without
# conversion: ann_file='' and raw_split='train' / 'test' (frames are then
# decoded from vid.avi).
#
# This file extends mmpose's metainfo file of the same name (it inherits
# `dataset_info`), so code that resolves mmpose's
# 'configs/_base_/datasets/300vw.py' from the repository root still finds the
# keypoint metainfo here.
_base_ = ['mmpose::_base_/datasets/300vw.py', './face_pipelines_256.py']

dataset_type = 'SHTFace300VWDataset'
data_mode = 'topdown'
data_root = 'data/300vw/'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='300vw_train.json',
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
        ann_file='300vw_test.json',
        test_mode=True,
        pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader

# Labeled pairs for SHT fine-tuning: 8 pairs = a batch of 16 faces. The
# metainfo names their faces' keypoints: mmpose's init_model and
# MMPoseInferencer read it here when the pairs are the training set.
train_pair_dataset = dict(
    type='FacePairDataset',
    metainfo=dict(from_file='{{ fileDirname }}/300vw.py'),
    pair_mode='image',
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='300vw_train.json'),
    pipeline=_base_.pair_view_pipeline)

val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('io', 'ip'),
        thresholds=(0.08, 0.1)),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
