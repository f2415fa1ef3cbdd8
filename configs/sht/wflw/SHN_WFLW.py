# SHN baseline on WFLW (Table 4 setting): DHLN-M with the face
# hallucination stream (and the fusion blocks) switched off, i.e. the plain
# 4-stack hourglass of the landmark stream. Same input, loss (Eq. 4 keeps only
# its heatmap term: there is no hallucinated face) and schedule as DHLN-M.
# The paper reports no numbers for this row (Tables 3-4 list only SHT-M,
# SHT-M-i and SHT-M-v); it is the baseline of the ablation.
_base_ = ['./DHLN-M_WFLW.py']

model = dict(backbone=dict(with_sr_stream=False))

# Follows from the switch: no hallucinated face to measure PSNR/SSIM on, so
# the landmark metric of DHLN-M alone.
val_evaluator = [
    dict(type='FaceLandmarkMetric', norm_modes=('io', ), thresholds=(0.1, ))
]
test_evaluator = val_evaluator
