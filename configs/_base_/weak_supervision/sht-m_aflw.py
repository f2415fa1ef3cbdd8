# Phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10) after the SHT-M_AFLW row: the
# base of the weakly-supervised AFLW rows. Its labeled AFLW pairs go into
# weak_dataloader; each row adds its unlabeled pairs and its start (SHT-M_AFLW's
# last checkpoint, load_from). Phases 2-3 are the SHT-M_AFLW run.
_base_ = [
    '../../sht/aflw/SHT-M_AFLW.py', '../datasets/labeled_unlabeled_pairs.py'
]

weak_dataloader = dict(dataset=dict(labeled={{_base_.train_pair_dataset}}))
train_cfg = dict(start_phase='sht_weak', end_phase='sht_weak')
