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
_base_ = ['./face_pipelines_128.py']

dataset_type = 'SHTCelebADataset'
data_mode = 'topdown'
data_root = 'data/celeba/'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_mode=data_mode,
        ann_file='annotations/celeba68_train.json',
        num_keypoints=68,
        metainfo=dict(from_file='{{ fileDirname }}/300w.py'),
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
        ann_file='annotations/celeba68_test.json',
        num_keypoints=68,
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
        ann_file='annotations/celeba68_train.json',
        num_keypoints=68),
    pipeline=_base_.pair_view_pipeline)

# Table 1 reports NME_wid with PSNR / SSIM (16 -> 128: crop 8 px).
val_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('wid', ), thresholds=(0.1, )),
    dict(type='HallucinationMetric', crop_border=8)
]
test_evaluator = val_evaluator
