"""FPTN: the facial pose-transfer GAN of SHT (Eq. 5-8), training only.

Its players and losses are children of ``SHTEstimator`` (see
:mod:`.objective`)."""
from .discriminator import PoseTransferDiscriminator
from .gan_loss import DualDiscriminatorGANLoss, gan_target_loss
from .generator import (PATB, PATBGenerator, patn_init_, pose_input,
                        resize_heatmaps)
from .objective import (DISCRIMINATOR_NAMES, build_fptn, discriminate,
                        discriminator_losses, fptn_loss_weights,
                        generator_losses)
from .optim_constructor import (SHTOptimWrapperConstructor,
                                split_generator_discriminator)
from .perceptual_loss import (VGGPerceptualL1Loss, build_vgg19_relu1_2,
                              l1_loss, load_relu1_2_weights)

__all__ = [
    'PATB', 'PATBGenerator', 'PoseTransferDiscriminator',
    'DualDiscriminatorGANLoss', 'VGGPerceptualL1Loss', 'gan_target_loss',
    'l1_loss', 'patn_init_', 'pose_input', 'resize_heatmaps',
    'build_vgg19_relu1_2', 'load_relu1_2_weights', 'DISCRIMINATOR_NAMES',
    'build_fptn', 'discriminate', 'discriminator_losses',
    'fptn_loss_weights', 'generator_losses', 'SHTOptimWrapperConstructor',
    'split_generator_discriminator'
]
