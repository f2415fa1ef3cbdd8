"""Image L1 loss of DHLN, ``|I_SR - I_HR|`` (Eq. 4, gamma2)."""
from typing import Optional

import torch.nn as nn
from mmpose.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class PixelL1Loss(nn.Module):
    """Mean absolute difference between two image batches.

    Args:
        loss_weight (float): Multiplies the loss. Defaults to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

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
            Tensor: Scalar loss (mean over all pixels of the batch).
        """
        if pred.shape != target.shape:
            raise ValueError('PixelL1Loss: prediction and target shapes '
                             f'differ: {tuple(pred.shape)} vs '
                             f'{tuple(target.shape)}')
        diff = (pred - target).abs()
        if sample_weights is not None:
            diff = diff * sample_weights.view(-1, 1, 1, 1).to(diff)
        return diff.mean() * self.loss_weight
