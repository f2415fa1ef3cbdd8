# FHS of Tables 1 and 5 (CelebA): DHLN with the landmark heatmap stream (and
# the fusion blocks) switched off, i.e. the face hallucination stream alone
# (4 SR modules of 4 SRBlocks, 64 channels, SR tail x2); same input, loss
# (Eq. 4 keeps its image terms: there are no heatmaps) and schedule as DHLN.
# Paper: PSNR 25.67, SSIM 0.7223.
_base_ = ['./DHLN_CelebA.py']

# The switch, and what follows from it: no landmarks (predictions carry the
# hallucinated face and zero keypoints), so no flip test, and PSNR / SSIM
# alone (on Y, cropping 8 pixels, the 16 -> 128 scale, per border).
model = dict(
    backbone=dict(with_landmark_stream=False), test_cfg=dict(flip_test=False))
val_evaluator = [dict(type='HallucinationMetric', crop_border=8)]
test_evaluator = val_evaluator
