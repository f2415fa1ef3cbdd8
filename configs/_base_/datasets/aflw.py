# AFLW-19, "-M" setting (256x256 HR crops, 64x64 heatmaps): Table 3.
# Data: mmpose's AFLW json files (face_landmarks_aflw_{train,test,
# test_frontal}.json) in data/aflw/annotations and the images in
# data/aflw/images. Test faces are in `full`; the frontal json marks the
# `frontal` ones, so one test run reports both.
#
# This file extends mmpose's metainfo file of the same name (it inherits
# `dataset_info`), so code that resolves mmpose's
# 'configs/_base_/datasets/aflw.py' from the repository root still finds the
# keypoint metainfo here.
_base_ = ['mmpose::_base_/datasets/aflw.py', './face_pipelines_256.py']

dataset_type = 'SHTAFLWDataset'
data_mode = 'topdown'
data_root = 'data/aflw/'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/'),
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
        ann_file='annotations/face_landmarks_aflw_test.json',
        data_prefix=dict(img='images/'),
        subset_ann_files=dict(
            frontal='annotations/face_landmarks_aflw_test_frontal.json'),
        test_mode=True,
        pipeline=_base_.val_pipeline))
test_dataloader = val_dataloader

# Labeled pairs for SHT fine-tuning: 8 pairs = a batch of 16 faces. The
# metainfo names their faces' keypoints: mmpose's init_model and
# MMPoseInferencer read it here when the pairs are the training set.
train_pair_dataset = dict(
    type='FacePairDataset',
    metainfo=dict(from_file='{{ fileDirname }}/aflw.py'),
    pair_mode='image',
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/')),
    pipeline=_base_.pair_view_pipeline)

# Table 3 reports NME_diag (full, frontal), NME_box and AUC_box@7.
val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('diag', 'box'),
        thresholds=(0.07, )),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
