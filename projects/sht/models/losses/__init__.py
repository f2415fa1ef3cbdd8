"""DHLN losses (Eq. 3-4) and the project's loss reduction convention."""
from .gradient_loss import GradientL1Loss, gradient_map
from .heatmap_loss import HeatmapSquaredL2Loss
from .pixel_loss import PixelL1Loss
from .reduction import per_image_sum

__all__ = [
    'GradientL1Loss', 'HeatmapSquaredL2Loss', 'PixelL1Loss', 'gradient_map',
    'per_image_sum'
]
