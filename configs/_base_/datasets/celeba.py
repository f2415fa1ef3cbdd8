# CelebA, CelebA/Helen setting (128x128 HR crops, 64x64 heatmaps): Table 1.
# The paper's ground truth is 68 points detected with OpenFace; CelebA itself
# ships 5. Put a 68-point COCO-style json per split in data/celeba/
# annotations (celeba68_{train,test}.json, images relative to data/celeba/)
# -- or set num_keypoints=5 and use celeba2coco.py's celeba_{train,test}.json
# (then also metainfo=dict(from_file='projects/sht/datasets/metainfo/
# celeba_5pt.py') on the training sets, or leave metainfo out).
# The training sets name the 68-point metainfo (300W's, from ./300w.py, which
# inherits mmpose's): mmpose's init_model and MMPoseInferencer read the
# keypoints from the config's training set.
_base_ = ['./face_dataloaders_128.py']

dataset_type = 'SHTCelebADataset'
data_root = 'data/celeba/'

# The labeled pairs for SHT fine-tuning and the training dataloader read the
# training set (the dataloader names the metainfo on its dataset).
train_pair_dataset = dict(
    metainfo=dict(from_file='{{ fileDirname }}/300w.py'),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='annotations/celeba68_train.json',
        num_keypoints=68))
train_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'],
        metainfo=train_pair_dataset['metainfo']))
val_dataloader = dict(
    dataset=dict(
        train_pair_dataset['dataset'],
        ann_file='annotations/celeba68_test.json'))
test_dataloader = val_dataloader
