"""FPTN: the facial pose-transfer GAN of SHT (Eq. 5-8), training only."""
from .discriminator import PoseTransferDiscriminator
from .fptn import FPTN
from .gan_loss import DualDiscriminatorGANLoss, gan_target_loss
from .generator import PATB, PATBGenerator, pose_input, resize_heatmaps
from .optim_constructor import (SHTOptimWrapperConstructor,
                                split_generator_discriminator)
from .perceptual_loss import (VGGPerceptualL1Loss, build_vgg19_relu1_2,
                              l1_loss, load_relu1_2_weights)

__all__ = [
    'FPTN', 'PATB', 'PATBGenerator', 'PoseTransferDiscriminator',
    'DualDiscriminatorGANLoss', 'VGGPerceptualL1Loss', 'gan_target_loss',
    'l1_loss', 'pose_input', 'resize_heatmaps', 'build_vgg19_relu1_2',
    'load_relu1_2_weights', 'SHTOptimWrapperConstructor',
    'split_generator_discriminator'
]
