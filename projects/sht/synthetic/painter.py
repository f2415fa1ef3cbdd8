"""Anti-aliased, sub-pixel drawing with alpha blending on a float canvas.

Shapes are rasterised by OpenCV with ``LINE_AA`` at 1/16 pixel precision
(``shift=4``) into a coverage mask restricted to the shape's bounding box,
optionally feathered with a Gaussian blur and clipped by another mask, and
blended into the canvas. Coordinates are 0-based pixels with pixel centres
on integers, the convention of the landmarks.
"""
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np

_SHIFT = 4
_ONE = 1 << _SHIFT

Color = Union[Sequence[float], np.ndarray]


def _fixed(points: np.ndarray, x0: int, y0: int) -> np.ndarray:
    """Float pixel points -> int32 fixed-point array relative to (x0, y0)."""
    rel = np.asarray(points, dtype=np.float64) - np.array([x0, y0])
    return np.round(rel * _ONE).astype(np.int32).reshape(-1, 1, 2)


class Painter:
    """Draw on a float32 BGR canvas (H, W, 3) with values in [0, 255].

    Args:
        canvas (np.ndarray): float32 image (H, W, 3), modified in place.
    """

    def __init__(self, canvas: np.ndarray) -> None:
        if canvas.dtype != np.float32 or canvas.ndim != 3:
            raise ValueError('Painter needs a float32 (H, W, 3) canvas, got '
                             f'{canvas.dtype} {canvas.shape}')
        self.canvas = canvas
        self.height, self.width = canvas.shape[:2]

    def _roi(self, points: np.ndarray,
             pad: float) -> Optional[Tuple[int, int, int, int]]:
        """Clipped integer box (x0, y0, x1, y1) around points plus pad."""
        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        x0 = max(int(np.floor(pts[:, 0].min() - pad)), 0)
        y0 = max(int(np.floor(pts[:, 1].min() - pad)), 0)
        x1 = min(int(np.ceil(pts[:, 0].max() + pad)) + 1, self.width)
        y1 = min(int(np.ceil(pts[:, 1].max() + pad)) + 1, self.height)
        if x1 <= x0 or y1 <= y0:
            return None
        return x0, y0, x1, y1

    def blend(self, alpha: np.ndarray, roi: Tuple[int, int, int, int],
              color: Color, clip: Optional[np.ndarray] = None) -> None:
        """Blend ``color`` into the canvas with per-pixel ``alpha``.

        Args:
            alpha (np.ndarray): coverage in [0, 1], shape (y1-y0, x1-x0).
            roi (tuple): (x0, y0, x1, y1) of ``alpha`` in the canvas.
            color: BGR triple, or a full-canvas (H, W, 3) image.
            clip (np.ndarray, optional): full-canvas (H, W) mask in [0, 1]
                multiplied into ``alpha``.
        """
        x0, y0, x1, y1 = roi
        if clip is not None:
            alpha = alpha * clip[y0:y1, x0:x1]
        region = self.canvas[y0:y1, x0:x1]
        col = np.asarray(color, dtype=np.float32)
        if col.ndim == 3:
            col = col[y0:y1, x0:x1]
        region += (col - region) * alpha[..., None]

    def _finish(self, mask: np.ndarray, roi, color: Color, opacity: float,
                blur: float, clip: Optional[np.ndarray]) -> None:
        alpha = mask.astype(np.float32) * (opacity / 255.0)
        if blur > 0:
            alpha = cv2.GaussianBlur(alpha, (0, 0), blur)
        self.blend(alpha, roi, color, clip)

    def fill_polygons(self,
                      polygons: Sequence[np.ndarray],
                      color: Color,
                      opacity: float = 1.0,
                      blur: float = 0.0,
                      clip: Optional[np.ndarray] = None) -> None:
        """Fill polygons (each (N, 2) float pixels) with anti-aliased edges."""
        roi = self._roi(np.concatenate(polygons, axis=0), 3 * blur + 2)
        if roi is None:
            return
        x0, y0, x1, y1 = roi
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.fillPoly(mask, [_fixed(p, x0, y0) for p in polygons], 255,
                     cv2.LINE_AA, _SHIFT)
        self._finish(mask, roi, color, opacity, blur, clip)

    def stroke(self,
               polyline: np.ndarray,
               color: Color,
               thickness: float,
               opacity: float = 1.0,
               closed: bool = False,
               blur: float = 0.0,
               clip: Optional[np.ndarray] = None) -> None:
        """Draw an anti-aliased polyline (N, 2) of a given pixel thickness."""
        roi = self._roi(polyline, thickness + 3 * blur + 2)
        if roi is None:
            return
        x0, y0, x1, y1 = roi
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cv2.polylines(mask, [_fixed(polyline, x0, y0)], closed, 255,
                      max(int(round(thickness)), 1), cv2.LINE_AA, _SHIFT)
        self._finish(mask, roi, color, opacity, blur, clip)

    def fill_ellipse(self,
                     center: Sequence[float],
                     axes: Sequence[float],
                     angle: float,
                     color: Color,
                     opacity: float = 1.0,
                     blur: float = 0.0,
                     clip: Optional[np.ndarray] = None) -> None:
        """Fill an ellipse (centre, half-axes in pixels, angle in degrees)."""
        r = max(axes[0], axes[1])
        c = np.asarray(center, dtype=np.float64)
        roi = self._roi(np.stack([c - r, c + r]), 3 * blur + 2)
        if roi is None:
            return
        x0, y0, x1, y1 = roi
        mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
        cen = tuple(int(v) for v in _fixed(c, x0, y0).ravel())
        ax = tuple(max(int(round(a * _ONE)), 1) for a in axes)
        cv2.ellipse(mask, cen, ax, float(angle), 0, 360, 255, -1, cv2.LINE_AA,
                    _SHIFT)
        self._finish(mask, roi, color, opacity, blur, clip)

    def polygon_mask(self, polygons: Sequence[np.ndarray]) -> np.ndarray:
        """Full-canvas anti-aliased coverage (H, W) float32 of polygons."""
        mask = np.zeros((self.height, self.width), np.uint8)
        cv2.fillPoly(mask, [_fixed(p, 0, 0) for p in polygons], 255,
                     cv2.LINE_AA, _SHIFT)
        return mask.astype(np.float32) / 255.0
