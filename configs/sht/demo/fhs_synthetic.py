# FHS baseline of the demo (Tables 1 and 5 in miniature): the face
# hallucination stream of DHLN alone (no hourglass, no fusion blocks) on the
# same 32x32 LR face. PSNR / SSIM only: no landmarks.
_base_ = ['./dhln_synthetic.py']

model = dict(backbone=dict(with_landmark_stream=False))
test_evaluator = [
    dict(type='HallucinationMetric', crop_border=_base_.hr_size // _base_.lr_size)
]
