"""Face hallucination stream of DHLN: SRBlock, SR module and SR tail.

Each SR module holds 4 SRBlocks and outputs Q_t in R^{64x64x64} (Sec. 3.1).
The SR tail turns the last (pose-attentional) features into the hallucinated
face: conv + PixelShuffle(2) per 2x step (once for 64 -> 128, twice for
64 -> 256), a conv to RGB, plus the bicubic-upsampled LR input.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor


class SRBlock(nn.Module):
    """conv3x3 (C -> hidden) - ReLU - conv3x3 (hidden -> C) + identity.

    Args:
        channels (int): Feature channels C (64 in the paper).
        hidden_channels (int): Inner channels (128 by default).
    """

    def __init__(self, channels: int, hidden_channels: int = 128) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, hidden_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hidden_channels, channels, 3, padding=1))

    def forward(self, x: Tensor) -> Tensor:
        """(N, C, H, W) -> (N, C, H, W)."""
        return self.body(x).add_(x)


class SRModule(nn.Sequential):
    """A chain of SRBlocks; its output is the paper's Q_t.

    Args:
        channels (int): Feature channels.
        num_blocks (int): SRBlocks per module (4 in the paper).
        hidden_channels (int): Inner channels of each SRBlock.
    """

    def __init__(self,
                 channels: int,
                 num_blocks: int = 4,
                 hidden_channels: int = 128) -> None:
        if num_blocks < 1:
            raise ValueError(
                f'an SR module needs >= 1 SRBlock, got {num_blocks}')
        super().__init__(*[
            SRBlock(channels, hidden_channels) for _ in range(num_blocks)
        ])


class PixelShuffle(nn.PixelShuffle):
    """``nn.PixelShuffle`` that an ONNX export writes as Reshape, Transpose,
    Reshape (the same values) instead of ``DepthToSpace``.

    onnxruntime's int8 (QDQ) graphs run Reshape and Transpose on the 8-bit
    tensors, while ``DepthToSpace`` stays in float between a dequantise and
    a quantise step (a tenth of an int8 DHLN-M's time).

    Args:
        upscale_factor (int): r; (N, C r^2, H, W) -> (N, C, H r, W r).
    """

    def forward(self, x: Tensor) -> Tensor:
        """(N, C r^2, H, W) -> (N, C, H r, W r)."""
        if not torch.onnx.is_in_onnx_export():
            return super().forward(x)
        r = self.upscale_factor
        n, c, h, w = x.shape
        return (x.reshape(n, c // (r * r), r, r, h, w)
                .permute(0, 1, 4, 2, 5, 3)
                .reshape(n, c // (r * r), h * r, w * r))


class SRTail(nn.Module):
    """Upsample the SR features to the hallucinated face.

    ``sr = conv_rgb(upsampler(q)) + bicubic_up(lr_input, scale)``.

    Args:
        channels (int): Feature channels of the SR stream.
        scale (int): Output scale, a power of two (2: 64 -> 128,
            4: 64 -> 256).
        out_channels (int): Image channels (3).
    """

    def __init__(self,
                 channels: int,
                 scale: int = 2,
                 out_channels: int = 3) -> None:
        super().__init__()
        if scale < 1 or 2**int(round(math.log2(scale))) != scale:
            raise ValueError(f'sr_scale must be a power of 2, got {scale}')
        self.scale = int(scale)
        steps = []
        for _ in range(int(round(math.log2(scale)))):
            steps += [
                nn.Conv2d(channels, channels * 4, 3, padding=1),
                PixelShuffle(2),
                nn.ReLU(inplace=True)
            ]
        self.upsampler = nn.Sequential(*steps)
        self.to_rgb = nn.Conv2d(channels, out_channels, 3, padding=1)

    def forward(self, feats: Tensor, lr: Tensor) -> Tensor:
        """Hallucinate the HR face.

        Args:
            feats (Tensor): SR features (N, C, h, w).
            lr (Tensor): The LR image DHLN received (N, 3, h, w).

        Returns:
            Tensor: (N, 3, h * scale, w * scale).
        """
        base = lr
        if self.scale > 1:
            base = F.interpolate(
                lr, scale_factor=self.scale, mode='bicubic',
                align_corners=False)
        return self.to_rgb(self.upsampler(feats)).add_(base)
