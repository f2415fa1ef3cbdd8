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
_base_ = ['mmpose::_base_/datasets/wflw.py', './face_dataloaders_256.py']

dataset_type = 'SHTWFLWDataset'
data_root = 'data/wflw/'

# The labeled pairs for SHT fine-tuning and the training dataloader read the
# training set.
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/wflw.py'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/wflw_train.json',
        data_prefix=dict(img='WFLW_images/')))
train_dataloader = dict(dataset=train_pair_dataset['dataset'])
val_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'], ann_file='annotations/wflw_test.json'))
test_dataloader = val_dataloader

# Table 4 reports NME_io, AUC_io@10 and FR_io@10.
val_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.1, )),
    dict(type='HallucinationMetric', crop_border=4)
]
test_evaluator = val_evaluator
