# Phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10) after the SHT-M_300W row: the
# base of the weakly-supervised 300W rows. Its labeled 300W pairs go into
# weak_dataloader; each row adds its unlabeled pairs and its start (SHT-M_300W's
# last checkpoint, load_from). Phases 2-3 are the SHT-M_300W run.
_base_ = [
    '../../sht/300w/SHT-M_300W.py', '../datasets/labeled_unlabeled_pairs.py'
]

weak_dataloader = dict(dataset=dict(labeled={{_base_.train_pair_dataset}}))
train_cfg = dict(start_phase='sht_weak', end_phase='sht_weak')
