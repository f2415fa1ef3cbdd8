# Phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10) after the SHT_CelebA row: the
# base of the weakly-supervised CelebA rows. Its labeled CelebA pairs go into
# weak_dataloader; each row adds its unlabeled pairs and its start (SHT_CelebA's
# last checkpoint, load_from). Phases 2-3 are the SHT_CelebA run.
_base_ = [
    '../../sht/celeba/SHT_CelebA.py', '../datasets/labeled_unlabeled_pairs.py'
]

weak_dataloader = dict(dataset=dict(labeled={{_base_.train_pair_dataset}}))
train_cfg = dict(start_phase='sht_weak', end_phase='sht_weak')
