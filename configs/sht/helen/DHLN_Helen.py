# DHLN of Tables 1 and 5 (Helen): both streams; the 128x128 HR crop degraded
# (bicubic) to 16x16 and up-sampled (bicubic) to the 64x64 input, the face
# hallucinated at 128x128 (SR tail x2), 68 landmarks, loss Eq. 4 with
# (gamma1, gamma2, gamma3) = (1, 0.01, 0.01).
# Parameters: 22.65M (paper: 22.72M); check with
# `python tools/analysis/get_flops.py configs/sht/helen/DHLN_Helen.py`.
# Also phase 1 of the SHT recipe: SHT_Helen starts from its last checkpoint.
# Paper: PSNR 27.07, SSIM 0.8177, NME_wid 0.3218.
_base_ = [
    '../../_base_/default_runtime.py', '../../_base_/models/dhln_128.py',
    '../../_base_/datasets/helen.py',
    '../../_base_/schedules/dhln_adam_200e.py'
]

default_hooks = dict(checkpoint=dict(save_best='PSNR', rule='greater'))
