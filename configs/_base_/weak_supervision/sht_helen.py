# Phase 4 of the SHT recipe (Sec. 4.1, Eq. 9-10) after the SHT_Helen row: the
# base of the weakly-supervised Helen rows. Its labeled Helen pairs go into
# weak_dataloader; each row adds its unlabeled pairs and its start (SHT_Helen's
# last checkpoint, load_from). Phases 2-3 are the SHT_Helen run.
_base_ = [
    '../../sht/helen/SHT_Helen.py', '../datasets/labeled_unlabeled_pairs.py'
]

weak_dataloader = dict(dataset=dict(labeled={{_base_.train_pair_dataset}}))
train_cfg = dict(start_phase='sht_weak', end_phase='sht_weak')
