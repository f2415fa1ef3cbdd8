# Phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10: no heatmap term for the
# unlabeled faces) on top of the SHT-M_300W row: the base of the weakly-supervised
# 300W rows. Each batch holds 8 pairs: labeled 300W pairs and unlabeled
# pairs, which each row sets (weak_dataloader.dataset.unlabeled), as it sets
# its start (SHT-M_300W's last checkpoint, load_from).
_base_ = ['../../sht/300w/SHT-M_300W.py']

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
        unlabeled=dict()))  # the row's unlabeled pairs
# phases 2-3 are the SHT-M_300W run; this run is phase 4 alone
train_cfg = dict(
    start_phase='sht_weak',
    phases=[
        dict(name='fptn', iters={{_base_.fptn_iters}}),
        dict(name='sht', iters={{_base_.sht_iters}}),
        dict(
            name='sht_weak', iters=40000, train_dataloader='weak_dataloader'),
    ])
