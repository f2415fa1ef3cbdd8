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
_base_ = ['mmpose::_base_/datasets/aflw.py', './face_dataloaders_256.py']

dataset_type = 'SHTAFLWDataset'
data_root = 'data/aflw/'

# The labeled pairs for SHT fine-tuning and the training dataloader read the
# training set.
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/aflw.py'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/face_landmarks_aflw_train.json',
        data_prefix=dict(img='images/')))
train_dataloader = dict(dataset=train_pair_dataset['dataset'])
val_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'],
        ann_file='annotations/face_landmarks_aflw_test.json',
        subset_ann_files=dict(
            frontal='annotations/face_landmarks_aflw_test_frontal.json')))
test_dataloader = val_dataloader

# Table 3 reports NME_diag (full, frontal), NME_box and AUC_box@7.
val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('diag', 'box'),
        thresholds=(0.07, )),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
