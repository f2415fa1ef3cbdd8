"""Optional flow-warp output of the FPTN generator (our addition to PATN).

PATN renders the target face from its decoder alone. With ``warp=True`` the
generator also predicts, from its last PATB features, a dense flow field and
a blending mask at 1/4 resolution (up-sampled bilinearly): the condition
face is warped by the flow (``grid_sample``) and blended with the decoded
face, ``I_ger = m * warp(I_con, flow) + (1 - m) * decoded``. The flow starts
at zero (identity warp) and the mask at ``sigmoid(mask_bias)``, so training
starts from a copy of the condition face and learns where to move it; the
gradient of the transfer loss reaches both heatmaps through the flow.
"""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def identity_grid(size: Tuple[int, int], like: Tensor) -> Tensor:
    """``grid_sample`` grid of the identity warp, (1, H, W, 2) in [-1, 1]
    (x first, ``align_corners=False`` pixel centres)."""
    height, width = size
    ys = (torch.arange(height, dtype=like.dtype, device=like.device) * 2 +
          1) / height - 1
    xs = (torch.arange(width, dtype=like.dtype, device=like.device) * 2 +
          1) / width - 1
    grid_y, grid_x = torch.meshgrid(ys, xs, indexing='ij')
    return torch.stack([grid_x, grid_y], dim=-1)[None]


def warp_image(image: Tensor, flow: Tensor) -> Tensor:
    """Backward warp: ``out(p) = image(p + flow(p))``, bilinear, border pad.

    Args:
        image (Tensor): (N, C, H, W).
        flow (Tensor): (N, 2, H, W) offsets (x, y) in normalised units
            (2 / W resp. 2 / H per pixel).

    Returns:
        Tensor: (N, C, H, W).
    """
    grid = identity_grid(tuple(image.shape[-2:]), image) + flow.permute(
        0, 2, 3, 1)
    return F.grid_sample(
        image, grid, mode='bilinear', padding_mode='border',
        align_corners=False)


class FlowWarpHead(nn.Module):
    """Flow (2 channels) and blending mask (1 channel) from PATB features.

    Args:
        in_channels (int): Channels of the features (N, C_in, h, w).
        hidden_channels (int): Width of the hidden conv.
        mask_bias (float): Initial mask logit (2.0: the warp weighs 0.88).
    """

    def __init__(self, in_channels: int, hidden_channels: int,
                 mask_bias: float = 2.0) -> None:
        super().__init__()
        self.hidden = nn.Sequential(
            nn.Conv2d(in_channels, hidden_channels, 3, padding=1),
            nn.ReLU(inplace=True))
        self.out = nn.Conv2d(hidden_channels, 3, 3, padding=1)
        self.mask_bias = float(mask_bias)
        self.reset_output()

    def reset_output(self) -> None:
        """Zero flow and a constant mask at the start (see the module doc);
        called again by ``PATBGenerator.init_weights``."""
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)
        with torch.no_grad():
            self.out.bias[2] = self.mask_bias

    def forward(self, feats: Tensor,
                size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """(N, C_in, h, w) -> flow (N, 2, H, W), mask (N, 1, H, W) in (0, 1).
        """
        out = F.interpolate(
            self.out(self.hidden(feats)), size=size, mode='bilinear',
            align_corners=False)
        return out[:, :2], torch.sigmoid(out[:, 2:])
