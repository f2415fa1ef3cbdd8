"""Contact sheets of faces with their landmarks, to look at the data."""
from typing import Sequence

import cv2
import numpy as np

_SHIFT = 2


def draw_landmarks(image: np.ndarray,
                   points: np.ndarray,
                   color=(0, 255, 0),
                   radius: float = 1.5) -> np.ndarray:
    """Copy of a BGR (or grey) image with anti-aliased dots at ``points``.

    Args:
        image (np.ndarray): uint8 (H, W, 3) or (H, W).
        points (np.ndarray): 0-based pixel coordinates, shape (K, 2).
        color (tuple): BGR dot colour.
        radius (float): dot radius in pixels.

    Returns:
        np.ndarray: uint8 (H, W, 3) image.
    """
    out = image.copy() if image.ndim == 3 else cv2.cvtColor(
        image, cv2.COLOR_GRAY2BGR)
    scale = 1 << _SHIFT
    for x, y in np.asarray(points, dtype=np.float64):
        cv2.circle(out, (int(round(x * scale)), int(round(y * scale))),
                   max(int(round(radius * scale)), 1), color, -1,
                   cv2.LINE_AA, _SHIFT)
    return out


def contact_sheet(images: Sequence[np.ndarray], cols: int = 4) -> np.ndarray:
    """Tile equally sized uint8 BGR images into rows of ``cols``.

    Args:
        images (Sequence[np.ndarray]): images (H, W, 3), at least one.
        cols (int): images per row; missing tiles stay black.

    Returns:
        np.ndarray: uint8 (rows * H, cols * W, 3) image.
    """
    if not images:
        raise ValueError('contact_sheet needs at least one image')
    h, w = images[0].shape[:2]
    rows = -(-len(images) // cols)
    sheet = np.zeros((rows * h, cols * w, 3), np.uint8)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        sheet[r * h:(r + 1) * h, c * w:(c + 1) * w] = img
    return sheet
