# DHLN-M of Table 2 (300W): both streams; the 256x256 HR crop degraded
# (bicubic) to a 64x64 input, the face hallucinated back at 256x256 (SR tail
# x4), loss Eq. 4 with (gamma1, gamma2, gamma3) = (1, 0.01, 0.01).
# Also phase 1 of the SHT recipe: SHT-M_300W starts from its last checkpoint.
# Paper (NME_io %): common 2.74, challenging 4.78, full 3.14.
_base_ = [
    '../../_base_/default_runtime.py', '../../_base_/models/dhln_256.py',
    '../../_base_/datasets/300w.py', '../../_base_/schedules/dhln_adam_60e.py'
]

default_hooks = dict(checkpoint=dict(save_best='NME_io', rule='less'))
