# 300W, "-M" setting (256x256 HR crops, 64x64 heatmaps): Table 2.
# Data: `python tools/dataset_converters/300w2coco.py data/300w
# data/300w/annotations` on the official layout (afw/ helen/ lfpw/ ibug/).
# The test json is the full set; every face lists its subsets (common or
# challenging, and full), so one test run reports all three.
#
# This file extends mmpose's metainfo file of the same name (it inherits
# `dataset_info`), so code that resolves mmpose's
# 'configs/_base_/datasets/300w.py' from the repository root still finds the
# 300W keypoint metainfo here.
_base_ = ['mmpose::_base_/datasets/300w.py', './face_pipelines_256.py']

dataset_type = 'SHTFace300WDataset'
data_mode = 'topdown'
data_root = 'data/300w/'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/300w_train.json',
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
        ann_file='annotations/300w_full.json',
        test_mode=True,
        pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader

# Labeled pairs for SHT fine-tuning: 8 pairs = a batch of 16 faces. The
# metainfo names their faces' keypoints: mmpose's init_model and
# MMPoseInferencer read it here when the pairs are the training set.
train_pair_dataset = dict(
    type='FacePairDataset',
    metainfo=dict(from_file='{{ fileDirname }}/300w.py'),
    pair_mode='image',
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/300w_train.json'),
    pipeline=_base_.pair_view_pipeline)

# Table 2 reports NME_io on common, challenging and full.
val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('io', 'ip'),
        thresholds=(0.08, 0.1)),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
