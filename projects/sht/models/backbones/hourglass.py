"""Stacked-hourglass pieces of DHLN's landmark heatmap stream.

Newell-style hourglass (pre-activation bottleneck residuals) with one extra
residual block after every ``up1 + up2`` merge, the layout that matches the
paper's SHN parameter count (16.41M; see docs/architecture.md and the design
notes). Everything keeps the 64x64 resolution of the LR input outside the
hourglass itself.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class Bottleneck(nn.Module):
    """Pre-activation bottleneck residual block (Newell et al.).

    BN-ReLU-conv1x1 (C_in -> C_out/2) - BN-ReLU-conv3x3 - BN-ReLU-conv1x1
    (-> C_out), plus an identity skip (a 1x1 conv when C_in != C_out).

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
    """

    def __init__(self, in_channels: int, out_channels: int) -> None:
        super().__init__()
        mid = max(out_channels // 2, 1)
        self.body = nn.Sequential(
            nn.BatchNorm2d(in_channels), nn.ReLU(inplace=True),
            nn.Conv2d(in_channels, mid, 1),
            nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, mid, 3, padding=1),
            nn.BatchNorm2d(mid), nn.ReLU(inplace=True),
            nn.Conv2d(mid, out_channels, 1))
        self.skip = (
            nn.Identity() if in_channels == out_channels else nn.Conv2d(
                in_channels, out_channels, 1))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C_in, H, W) -> (N, C_out, H, W)."""
        # in place on the fresh conv output: no extra feature-map buffer
        return self.body(x).add_(self.skip(x))


def add_upsampled_nearest(high: Tensor, low: Tensor) -> Tensor:
    """``high + interpolate(low, scale_factor=2, mode='nearest')``.

    Every low-resolution value is broadcast onto its 2x2 block of ``high``
    (views, any memory format), so the up-sampled map is never stored.
    In an ONNX export it is written as ``Resize`` (nearest) + ``Add``
    instead, the same values: onnxruntime's int8 (QDQ) graphs quantise
    those two, where a broadcasting 6-D ``QLinearAdd`` took a fifth of an
    int8 DHLN's time.

    Args:
        high (Tensor): (N, C, 2h, 2w).
        low (Tensor): (N, C, h, w).

    Returns:
        Tensor: (N, C, 2h, 2w).
    """
    if torch.onnx.is_in_onnx_export():
        return high + F.interpolate(low, scale_factor=2.0, mode='nearest')
    h, w = low.shape[-2:]
    blocks = high.unflatten(-1, (w, 2)).unflatten(-3, (h, 2))
    return (blocks + low[:, :, :, None, :, None]).flatten(-2).flatten(-3, -2)


class Hourglass(nn.Module):
    """One recursive hourglass of the given depth.

    Each level: ``up1 = res(x)``; ``low = res(maxpool(x))``, the inner
    hourglass (or one residual at the bottom), ``res``; then
    ``res(up1 + upsample(low))`` (the merge residual).

    Args:
        depth (int): Number of 2x down-sampling levels (4 in the paper).
        channels (int): Feature channels (256 in the paper).
        merge_residual (bool): Add the residual after each merge.
            Defaults to True.
    """

    def __init__(self,
                 depth: int,
                 channels: int,
                 merge_residual: bool = True) -> None:
        super().__init__()
        if depth < 1:
            raise ValueError(f'hourglass depth must be >= 1, got {depth}')
        self.depth = depth
        self.up1 = Bottleneck(channels, channels)
        self.low1 = Bottleneck(channels, channels)
        self.low2 = (
            Hourglass(depth - 1, channels, merge_residual)
            if depth > 1 else Bottleneck(channels, channels))
        self.low3 = Bottleneck(channels, channels)
        self.merge = (
            Bottleneck(channels, channels)
            if merge_residual else nn.Identity())

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W); H and W divisible by 2**depth."""
        if x.shape[-1] % 2 or x.shape[-2] % 2:
            raise ValueError(
                f'hourglass input {tuple(x.shape[-2:])} is not divisible by '
                f'2 at depth {self.depth}')
        up1 = self.up1(x)
        low = self.low3(self.low2(self.low1(F.max_pool2d(x, 2))))
        return self.merge(add_upsampled_nearest(up1, low))


class HourglassStem(nn.Module):
    """Stem for a 64x64 LR input: stride 1, no pooling (features stay 64x64).

    conv7x7 (3 -> C/4) - BN - ReLU - res(C/4 -> C/2) - res(C/2 -> C/2) -
    res(C/2 -> C).

    Args:
        in_channels (int): Image channels (3).
        out_channels (int): Stack channels C (256 in the paper).
        stride (int): Stride of the 7x7 conv (1; 2 gives features at half
            the input size, e.g. an SHN on an HR face whose heatmaps have
            the LR size). Defaults to 1.
    """

    def __init__(self, in_channels: int, out_channels: int,
                 stride: int = 1) -> None:
        super().__init__()
        quarter, half = max(out_channels // 4, 1), max(out_channels // 2, 1)
        self.layers = nn.Sequential(
            nn.Conv2d(in_channels, quarter, 7, stride=stride, padding=3),
            nn.BatchNorm2d(quarter), nn.ReLU(inplace=True),
            Bottleneck(quarter, half), Bottleneck(half, half),
            Bottleneck(half, out_channels))

    def forward(self, x: Tensor) -> Tensor:
        """(N, 3, H, W) -> (N, C, H, W)."""
        return self.layers(x)


class StackNeck(nn.Module):
    """What follows each hourglass before fusion: residual + linear layer.

    ``res(x)`` then conv1x1 - BN - ReLU; its output is the paper's P_t.

    Args:
        channels (int): Stack channels.
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            Bottleneck(channels, channels), nn.Conv2d(channels, channels, 1),
            nn.BatchNorm2d(channels), nn.ReLU(inplace=True))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        return self.layers(x)
