# SHT-M-i of Table 3 (AFLW): SHT-M fine-tuned further with unlabeled CelebA
# faces (phase 4 of Sec. 4.1, Eq. 9-10: no heatmap term for them). Each batch
# holds 8 pairs: labeled AFLW pairs and unlabeled CelebA pairs (two random
# rotations/scales of one face). Starts from SHT-M_AFLW's last checkpoint.
# Paper: NME_diag % full 1.09, frontal 0.96; NME_box % full 2.01;
# AUC_box@7 % full 72.4.
_base_ = ['./SHT-M_AFLW.py', '../../_base_/datasets/unlabeled_celeba_256.py']

load_from = 'work_dirs/SHT-M_AFLW/iter_40000.pth'

# Our choice (the paper gives the data, not the mix): half of each batch
# labeled (4 pairs), half unlabeled (4 pairs); 40k iterations.
weak_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='MixedRatioSampler', batch_size=8, labeled_ratio=0.5),
    collate_fn=dict(type='pair_collate'),
    dataset=dict(
        type='LabeledUnlabeledDataset',
        labeled={{_base_.train_pair_dataset}},
        unlabeled={{_base_.unlabeled_dataset}}))
custom_hooks = [
    dict(
        type='SHTPhaseHook',
        start_phase='sht_weak',
        phases=[
            dict(name='fptn', iters={{_base_.fptn_iters}}),
            dict(name='sht', iters={{_base_.sht_iters}}),
            dict(
                name='sht_weak',
                iters=40000,
                train_dataloader='weak_dataloader'),
        ]),
    dict(type='SHTNaNGuardHook'),
    dict(type='SyncBuffersHook'),
]
train_cfg = dict(max_iters=40000)
