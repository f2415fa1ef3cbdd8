"""SHT models: DHLN (backbone, head, estimator), FPTN, losses."""
from . import fptn, inference_optim  # noqa: F401
from .backbones import DHLN, FUBlock1, FUBlock2
from .degradation import bicubic_degrade
from .dhln_features import DHLNFeatures, DHLNOutputs
from .heads import DHLNHead
from .losses import (GradientL1Loss, HeatmapSquaredL2Loss, PixelL1Loss,
                     gradient_map)
from .pose_estimators import DHLNEstimator

__all__ = [
    'DHLN', 'FUBlock1', 'FUBlock2', 'DHLNHead', 'DHLNEstimator',
    'DHLNFeatures', 'DHLNOutputs', 'GradientL1Loss', 'HeatmapSquaredL2Loss',
    'PixelL1Loss',
    'bicubic_degrade', 'gradient_map'
]
