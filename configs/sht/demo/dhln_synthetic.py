# Phase 1 of sht_synthetic.py alone (DHLN, Eq. 4): the base of the demo's
# SHN and FHS baselines, which train with phase 1's data, batches,
# iterations and learning rate.
_base_ = ['./sht_synthetic.py']

model = dict(fptn=None)
train_cfg = dict(phases=[_base_.sht_phases[0]])
# DHLN's phase-1 optimizer (no FPTN, so no discriminator side)
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=_base_.generator_lr, betas=(0.5, 0.999)))
param_scheduler = [dict(type='ConstantLR', by_epoch=False, factor=1.0)]
