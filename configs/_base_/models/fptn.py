# FPTN, the facial pose-transfer GAN of SHT (paper Sec. 3.2, Eq. 5-8), and
# the adversarial optimisation used to train it. FPTN is training-only.
#
# Use it next to a DHLN model piece and turn the model into an SHTEstimator:
#
#   _base_ = ['../_base_/default_runtime.py',
#             '../_base_/models/dhln_128.py',   # or dhln_256.py ("-M")
#             '../_base_/models/fptn.py']
#   model = dict(type='SHTEstimator', fptn={{_base_.fptn}},
#                train_mode='sht', train_cfg=dict())
#
# FPTN is built only when the model config has both `fptn` and a
# `train_cfg` (mmpose's init_model sets train_cfg=None, so inference models
# hold DHLN alone). The estimator builds the entries below as its own
# children `generator`, `discriminator_a`, `discriminator_s`, `gan_loss` and
# `perceptual_loss` (the group has no `type`). `num_keypoints` is taken from
# the head. The generator works at any face size that is a multiple of 4
# (128 or 256 here).

fptn = dict(
    # PATN generator: encoders to 1/4 resolution with 4 * 64 = 256 channels,
    # 9 PATB blocks, decoder with tanh (mapped to [0, 1] RGB).
    generator=dict(
        type='PATBGenerator',
        base_channels=64,
        num_blocks=9,
        norm_cfg=dict(type='IN')),
    # D_A (condition face || face) and D_S (target heatmaps || face):
    # conv7x7, two stride-2 convs, 3 residual blocks, a score map.
    discriminator=dict(
        type='PoseTransferDiscriminator',
        base_channels=64,
        num_res_blocks=3,
        out_channels=1,
        norm_cfg=dict(type='IN')),
    # Our choice (the paper does not say): least-squares GAN, as PATN.
    # 'vanilla' gives the log form of Eq. 6 literally.
    gan_loss=dict(type='DualDiscriminatorGANLoss', gan_type='lsgan'),
    # Local VGG-19 weights for Eq. 8: torchvision's vgg19 state dict file
    # (e.g. vgg19-dcbb9e9d.pth) or a features-only state dict; nothing is
    # downloaded. None runs on random VGG weights and logs a warning (only
    # useful for tests). Override model.fptn.perceptual_loss.vgg_weights.
    perceptual_loss=dict(type='VGGPerceptualL1Loss', vgg_weights=None),
    # (lambda1, lambda2, lambda3) of Eq. 5, paper Sec. 4.1
    loss_weights=dict(gan=0.05, l1=0.01, perceptual=0.01))

# Two optimizers (PATN: Adam, lr 2e-4, betas (0.5, 0.999)): `generator`
# updates DHLN and FPTN's generator, `discriminator` updates D_A and D_S.
# For mixed precision set type='AmpOptimWrapper' on either side.
optim_wrapper = dict(
    constructor='SHTOptimWrapperConstructor',
    generator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))))

# Distributed training: each submodule gets its own DDP and the model's own
# train_step runs; each side leaves the other's parameters unused.
model_wrapper_cfg = dict(
    type='MMSeparateDistributedDataParallel',
    broadcast_buffers=False,
    find_unused_parameters=True)
