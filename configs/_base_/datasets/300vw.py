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
_base_ = ['mmpose::_base_/datasets/300vw.py', './face_dataloaders_256.py']

dataset_type = 'SHTFace300VWDataset'
data_root = 'data/300vw/'

# The labeled pairs for SHT fine-tuning and the training dataloader read the
# training videos; the evaluator is the one of face_dataloaders_256.py.
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/300vw.py'),
    dataset=dict(
        type=dataset_type, data_root=data_root, ann_file='300vw_train.json'))
train_dataloader = dict(dataset=train_pair_dataset['dataset'])
val_dataloader = dict(
    dataset=dict(train_pair_dataset['dataset'], ann_file='300vw_test.json'))
test_dataloader = val_dataloader
