# DHLN-M on AFLW (Table 3 setting): both streams; the 256x256 HR crop
# degraded (bicubic) to a 64x64 input, the face hallucinated back at 256x256
# (SR tail x4), loss Eq. 4 with (gamma1, gamma2, gamma3) = (1, 0.01, 0.01).
# Also phase 1 of the SHT recipe: SHT-M_AFLW starts from its last checkpoint.
# The paper reports no numbers for this row (Tables 3-4 list only SHT-M,
# SHT-M-i and SHT-M-v); it is the baseline of the ablation.
_base_ = [
    '../../_base_/default_runtime.py', '../../_base_/models/dhln_256.py',
    '../../_base_/datasets/aflw.py', '../../_base_/schedules/dhln_adam_60e.py'
]

# AFLW-19: 19 landmarks
model = dict(backbone=dict(num_keypoints=19), head=dict(num_keypoints=19))

default_hooks = dict(checkpoint=dict(save_best='NME_diag', rule='less'))
