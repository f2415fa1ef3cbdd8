# The dataloaders of the labeled dataset bases, either setting: batch sizes,
# samplers and the pair set's type. face_dataloaders_{128,256}.py add the
# setting's pipelines and evaluator; a dataset base (300w.py, ...) adds its
# dataset type, root and annotation files.
data_mode = 'topdown'

train_dataloader = dict(
    batch_size=16,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=dict(data_mode=data_mode))
val_dataloader = dict(
    batch_size=32,
    num_workers=2,
    persistent_workers=True,
    drop_last=False,
    sampler=dict(type='DefaultSampler', shuffle=False, round_up=False),
    dataset=dict(data_mode=data_mode, test_mode=True))
test_dataloader = val_dataloader

# Labeled pairs for SHT fine-tuning: 8 pairs = a batch of 16 faces. A
# dataset base names the pairs' metainfo, which names their faces'
# keypoints: mmpose's init_model and MMPoseInferencer read it there when the
# pairs are the training set.
train_pair_dataset = dict(type='FacePairDataset', pair_mode='image')
