# Helen, CelebA/Helen setting (128x128 HR crops, 64x64 heatmaps): Table 1.
# 68 points (the 300W markup of Helen); the paper's split has 2005 training
# and 50 test faces. Put helen_{train,test}.json (COCO-style, images
# relative to data/helen/) in data/helen/annotations.
_base_ = ['./face_dataloaders_128.py']

dataset_type = 'SHTHelenDataset'
data_root = 'data/helen/'

# The labeled pairs for SHT fine-tuning (300W's 68-point metainfo) and the
# training dataloader read the training set.
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/300w.py'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/helen_train.json'))
train_dataloader = dict(dataset=train_pair_dataset['dataset'])
val_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'], ann_file='annotations/helen_test.json'))
test_dataloader = val_dataloader
