"""Image L1 term of Eq. 4, ``||I^SR_i - I^HR_i||_1`` per image (gamma2)."""
from typing import Optional

import torch.nn as nn
from mmpose.registry import MODELS
from torch import Tensor

from .reduction import check_same_shape, per_image_sum


@MODELS.register_module()
class PixelL1Loss(nn.Module):
    """L1 norm of each image's difference, averaged over the batch.

    ``loss = mean_i sum_{c, y, x} |pred_i - target_i|`` (the project's loss
    convention, :mod:`.reduction`). Its weight is the head's ``gamma_sr``.
    """

    def forward(self,
                pred: Tensor,
                target: Tensor,
                sample_weights: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Predicted images (N, C, H, W).
            target (Tensor): Target images (N, C, H, W).
            sample_weights (Tensor, optional): Per-image weights (N,).
                Defaults to None (all ones).

        Returns:
            Tensor: Scalar loss.
        """
        check_same_shape('PixelL1Loss', pred, target)
        return per_image_sum((pred - target).abs(), sample_weights)
