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
_base_ = ['mmpose::_base_/datasets/300w.py', './face_dataloaders_256.py']

dataset_type = 'SHTFace300WDataset'
data_root = 'data/300w/'

# The labeled pairs for SHT fine-tuning and the training dataloader read the
# training set; the test set is the full set. Table 2 reports NME_io on
# common, challenging and full: the evaluator of face_dataloaders_256.py.
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/300w.py'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/300w_train.json'))
train_dataloader = dict(dataset=train_pair_dataset['dataset'])
val_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'], ann_file='annotations/300w_full.json'))
test_dataloader = val_dataloader
