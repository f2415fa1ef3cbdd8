# SHT-M of Table 2 (300W): DHLN-M trained through FPTN on pairs of views of
# each labeled face (Sec. 3.3, Eq. 9): phases 2 (FPTN pretraining) and 3 (SHT
# fine-tuning) of Sec. 4.1, see schedules/sht_finetune_40k.py. Inference
# runs DHLN-M alone (FPTN is training-only).
# Phase 1 is the DHLN-M_300W run: this run starts from its last checkpoint.
# Paper (NME_io %): common 2.57, challenging 4.23, full 2.90.
_base_ = [
    '../../_base_/schedules/sht_finetune_40k.py',
    '../../_base_/models/sht_256.py', '../../_base_/datasets/300w.py'
]

load_from = 'work_dirs/DHLN-M_300W/epoch_60.pth'

# VGG-19 weights for the perceptual loss (Eq. 8): torchvision's
# vgg19-dcbb9e9d.pth, fetched once by hand (see docs/reproduce.md).
model = dict(
    fptn=dict(
        perceptual_loss=dict(vgg_weights='checkpoints/vgg19-dcbb9e9d.pth')))

# Pairs of views (Sec. 4.1): 8 pairs = the paper's batch of 16 faces.
train_dataloader = dict(
    _delete_=True,
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    collate_fn=dict(type='pair_collate'),
    dataset={{_base_.train_pair_dataset}})

default_hooks = dict(checkpoint=dict(save_best='NME_io', rule='less'))
