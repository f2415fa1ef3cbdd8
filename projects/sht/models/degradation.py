"""Bicubic degradation that turns an HR face crop into DHLN's LR input.

The paper makes its low-resolution inputs from the high-resolution crops with
bicubic degradation (Sec. 4.2 and 4.3): 128x128 -> 16x16 -> bicubic up to
64x64 for CelebA/Helen, and 256x256 -> 64x64 for the "-M" setting.
"""
from typing import Optional

import torch
import torch.nn.functional as F
from torch import Tensor


def bicubic_degrade(hr: Tensor,
                    lr_size: int,
                    upsample_to: Optional[int] = None) -> Tensor:
    """Degrade HR images to LR with (antialiased) bicubic resampling.

    Args:
        hr (Tensor): HR images in shape (N, C, H, W), values in [0, 1].
        lr_size (int): Side of the square LR image (e.g. 16 or 64).
        upsample_to (int, optional): If given, the LR image is resized back
            up with bicubic interpolation to this side (e.g. 64), as the
            CelebA/Helen setting feeds DHLN. Defaults to ``None``.

    Returns:
        Tensor: LR images in shape (N, C, lr_size, lr_size), or
        (N, C, upsample_to, upsample_to) when ``upsample_to`` is given,
        clamped to [0, 1].
    """
    if not isinstance(hr, torch.Tensor) or hr.dim() != 4:
        raise ValueError('bicubic_degrade expects a (N, C, H, W) tensor, got '
                         f'{type(hr).__name__} of shape '
                         f'{tuple(getattr(hr, "shape", ()))}')
    if int(lr_size) <= 0:
        raise ValueError(f'lr_size must be a positive int, got {lr_size}')
    lr = F.interpolate(
        hr,
        size=(int(lr_size), int(lr_size)),
        mode='bicubic',
        align_corners=False,
        antialias=True).clamp(0.0, 1.0)
    if upsample_to is not None:
        if int(upsample_to) <= 0:
            raise ValueError(
                f'upsample_to must be a positive int, got {upsample_to}')
        lr = F.interpolate(
            lr,
            size=(int(upsample_to), int(upsample_to)),
            mode='bicubic',
            align_corners=False).clamp(0.0, 1.0)
    return lr
