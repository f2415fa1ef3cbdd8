# DHLN, CelebA/Helen setting (paper Sec. 4.2, Table 1): the pipeline crops a
# 128x128 HR face, the model degrades it (bicubic) to 16x16, up-samples that
# (bicubic) to the 64x64 DHLN input and hallucinates the 128x128 face
# (SR tail x2). Heatmaps are 64x64. The network and the losses are those of
# dhln_256.py; only the sizes differ.
_base_ = ['./dhln_256.py']

hr_size = 128
codec = dict(input_size=(hr_size, hr_size))

model = dict(
    lr_size=16,
    lr_upsample_to=64,
    backbone=dict(sr_scale=2),
    head=dict(decoder=codec))
