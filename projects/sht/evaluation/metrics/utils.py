"""Conversions shared by the metrics (tensors / arrays to NumPy images)."""
from typing import Any

import numpy as np
import torch
from mmpose.utils.tensor_utils import to_numpy


def as_array(value: Any) -> np.ndarray:
    """A tensor (through mmpose's ``to_numpy``: detached, on the CPU), an
    array or a nested list / number (``np.asarray``) as a NumPy array."""
    if isinstance(value, torch.Tensor):
        return to_numpy(value)
    return np.asarray(value)


def float_chw_to_uint8_hwc(img: Any) -> np.ndarray:
    """A (3, H, W) float image in [0, 1] as a uint8 (H, W, 3) image.

    Values are clipped to [0, 1], scaled by 255 and rounded; channel order is
    kept.
    """
    img = as_array(img).astype(np.float64)
    if img.ndim != 3 or img.shape[0] != 3:
        raise ValueError(f'expected a (3, H, W) image, got {img.shape}')
    img = np.round(np.clip(img, 0.0, 1.0) * 255.0).astype(np.uint8)
    return np.ascontiguousarray(img.transpose(1, 2, 0))


def uint8_chw_to_hwc(img: Any, bgr_to_rgb: bool) -> np.ndarray:
    """A uint8 (3, H, W) image as (H, W, 3), optionally BGR -> RGB."""
    img = as_array(img)
    if img.dtype != np.uint8:
        raise TypeError('expected the uint8 HR crop (before the data '
                        f'preprocessor), got dtype {img.dtype}')
    if img.ndim != 3 or img.shape[0] != 3:
        raise ValueError(f'expected a (3, H, W) image, got {img.shape}')
    if bgr_to_rgb:
        img = img[::-1]
    return np.ascontiguousarray(img.transpose(1, 2, 0))
