# Phases 3-4 of the demo (SHT on labeled pairs, then with unlabeled video
# pairs, Eq. 9-10) as their own run from a phase-2 checkpoint of
# sht_synthetic.py (load_from; tools/misc/run_demo.py and
# tools/analysis/ablation.py set it). The equal-budget control is
# dhln_synthetic_continued.py: the same run without FPTN.
_base_ = ['./sht_synthetic.py']

load_from = None  # a phase-2 checkpoint (iteration dhln + fptn)
# the generator-side rate of sht_synthetic.py after its drop, held constant
optim_wrapper = dict(
    generator=dict(
        optimizer=dict(lr=_base_.generator_lr * _base_.finetune_lr_factor)))
param_scheduler = dict(
    generator=[dict(type='ConstantLR', by_epoch=False, factor=1.0)])
# phases 3-4 (phase_iters['sht'] + phase_iters['sht_weak'] iterations)
train_cfg = dict(start_phase='sht')
