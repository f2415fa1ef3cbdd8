# Equal-budget control of sht_synthetic_finetune.py: DHLN trained on from the
# same phase-2 checkpoint with the same data, iterations, learning rates,
# batches and norm_eval, without FPTN (mode 'dhln': Eq. 4 on labeled views;
# in phase 4 the unlabeled video frames keep Eq. 10's SR terms).
_base_ = ['./sht_synthetic_finetune.py']

train_cfg = dict(phases=[
    dict(p, mode='dhln') if p['name'] in ('sht', 'sht_weak') else p
    for p in _base_.sht_phases
])
