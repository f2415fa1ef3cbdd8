# SHN baseline of Table 2 ("SHN (256x256)"): DHLN-M with the face
# hallucination stream (and the fusion blocks) switched off, i.e. the plain
# 4-stack hourglass of the landmark stream. Same input, loss (Eq. 4 keeps only
# its heatmap term: there is no hallucinated face) and schedule as DHLN-M.
# Parameters: 16.38M (paper: 16.41M); check with
# `python tools/analysis/get_flops.py configs/sht/300w/SHN_300W.py`.
# Paper (NME_io %): common 3.11, challenging 6.23, full 3.72.
_base_ = ['./DHLN-M_300W.py']

model = dict(backbone=dict(with_sr_stream=False))

# Follows from the switch: no hallucinated face to measure PSNR/SSIM on, so
# the landmark metric of DHLN-M alone.
val_evaluator = [
    dict(
        type='FaceLandmarkMetric',
        norm_modes=('io', 'ip'),
        thresholds=(0.08, 0.1))
]
test_evaluator = val_evaluator
