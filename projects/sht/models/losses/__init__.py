"""DHLN losses: image L1 and gradient-map L1 (Eq. 3-4)."""
from .gradient_loss import GradientL1Loss, gradient_map
from .pixel_loss import PixelL1Loss

__all__ = ['GradientL1Loss', 'PixelL1Loss', 'gradient_map']
