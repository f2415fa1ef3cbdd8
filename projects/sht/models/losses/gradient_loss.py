"""Gradient map (Eq. 3) and the gradient L1 loss of DHLN (Eq. 4, gamma3).

Per image channel, central differences with fixed 3x3 kernels and zero
padding 1 (same-size output):

    I_x(x, y) = I(x + 1, y) - I(x - 1, y)
    I_y(x, y) = I(x, y + 1) - I(x, y - 1)
    G(I)      = sqrt(I_x^2 + I_y^2 + eps),  eps = 1e-6

``eps`` keeps the square root differentiable where the image is flat.
"""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor

from .reduction import check_same_shape, per_image_sum

GRADIENT_EPS = 1e-6

# cross-correlation kernels (what conv2d computes): out[y, x] =
# in[y, x + 1] - in[y, x - 1] and in[y + 1, x] - in[y - 1, x]
_KERNEL_X = ((0., 0., 0.), (-1., 0., 1.), (0., 0., 0.))
_KERNEL_Y = ((0., -1., 0.), (0., 0., 0.), (0., 1., 0.))


def gradient_map(img: Tensor, eps: float = GRADIENT_EPS) -> Tensor:
    """Gradient magnitude map of every channel (Eq. 3).

    Args:
        img (Tensor): Images (N, C, H, W).
        eps (float): Added under the square root. Defaults to 1e-6.

    Returns:
        Tensor: G(I), (N, C, H, W).
    """
    if img.dim() != 4:
        raise ValueError(
            f'gradient_map expects (N, C, H, W), got {tuple(img.shape)}')
    channels = img.shape[1]
    kernels = torch.tensor((_KERNEL_X, _KERNEL_Y),
                           dtype=img.dtype,
                           device=img.device)  # (2, 3, 3)
    # depthwise: each channel gets its own (d/dx, d/dy) pair
    weight = kernels.unsqueeze(1).repeat(channels, 1, 1, 1)  # (2C, 1, 3, 3)
    grads = F.conv2d(img, weight, padding=1, groups=channels)  # (N, 2C, H, W)
    gx, gy = grads[:, 0::2], grads[:, 1::2]
    return torch.sqrt(gx * gx + gy * gy + eps)


@MODELS.register_module()
class GradientL1Loss(nn.Module):
    """L1 norm of each image's gradient-map difference, ``||G(SR_i) -
    G(HR_i)||_1`` (Eq. 4, gamma3), averaged over the batch (the project's
    loss convention, :mod:`.reduction`).

    Args:
        eps (float): See :func:`gradient_map`. Defaults to 1e-6.
    """

    def __init__(self, eps: float = GRADIENT_EPS) -> None:
        super().__init__()
        self.eps = eps

    def forward(self,
                pred: Tensor,
                target: Tensor,
                sample_weights: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            pred (Tensor): Hallucinated images (N, C, H, W).
            target (Tensor): Ground-truth HR images (N, C, H, W).
            sample_weights (Tensor, optional): Per-image weights (N,).
                Defaults to None (all ones).

        Returns:
            Tensor: Scalar loss.
        """
        check_same_shape('GradientL1Loss', pred, target)
        diff = (gradient_map(pred, self.eps) -
                gradient_map(target, self.eps)).abs()
        return per_image_sum(diff, sample_weights)
