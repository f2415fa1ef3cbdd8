# SHT, "-M" setting (Tables 2-4, 6): the DHLN of dhln_256.py trained
# through FPTN (fptn.py), the training-only pose-transfer GAN (Sec. 3.3,
# Eq. 9-10). SHTTrainLoop sets the estimator's train_mode per phase; FPTN is
# built only with a train_cfg, so inference models (and published
# checkpoints) hold DHLN alone, exactly as dhln_256.py builds it.
#
# Training needs the VGG-19 weights of the perceptual loss (Eq. 8) as a local
# file (nothing is downloaded): the SHT rows set
# model.fptn.perceptual_loss.vgg_weights.
_base_ = ['./dhln_256.py', './fptn.py']

model = dict(type='SHTEstimator', fptn={{_base_.fptn}}, train_cfg=dict())

# Our choice (the paper does not say): the pretrained DHLN is fine-tuned at
# 1/10 of the generator-side learning rate (2e-5), FPTN's generator at 2e-4.
optim_wrapper = dict(
    generator=dict(
        paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)})))
