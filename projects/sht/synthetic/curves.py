"""Smooth curves through landmark chains.

The renderer draws the jaw outline, the eyelids and the lips as centripetal
Catmull-Rom splines through the landmarks, and the 98-point WFLW scheme
samples its extra points on the very same splines, so every derived point
lies on a drawn feature edge.
"""
from typing import Sequence

import numpy as np

_EPS = 1e-6


def catmull_rom_segment(p0: np.ndarray,
                        p1: np.ndarray,
                        p2: np.ndarray,
                        p3: np.ndarray,
                        ts: np.ndarray,
                        alpha: float = 0.5) -> np.ndarray:
    """Evaluate Catmull-Rom segments between ``p1`` and ``p2``.

    Barry-Goldman pyramidal form of the (centripetal, ``alpha=0.5``) spline.
    The control points may carry leading batch dimensions to evaluate many
    segments at once.

    Args:
        p0, p1, p2, p3 (np.ndarray): control points, shape (..., D).
        ts (np.ndarray): curve parameters in [0, 1], shape (T,); 0 gives
            ``p1`` and 1 gives ``p2``.
        alpha (float): 0 uniform, 0.5 centripetal, 1 chordal.

    Returns:
        np.ndarray: points on the segments, shape (..., T, D).
    """
    p0, p1, p2, p3 = (np.asarray(p, dtype=np.float64)[..., None, :]
                      for p in (p0, p1, p2, p3))

    def step(p, q):
        return np.linalg.norm(q - p, axis=-1, keepdims=True)**alpha + _EPS

    t0 = 0.0
    t1 = t0 + step(p0, p1)
    t2 = t1 + step(p1, p2)
    t3 = t2 + step(p2, p3)
    t = t1 + (t2 - t1) * np.asarray(ts, dtype=np.float64)[:, None]
    a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
    a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
    a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
    b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
    b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
    return (t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2


def _segments(padded: np.ndarray, num_segments: int, ts: np.ndarray):
    """All segments of a padded chain at parameters ts, (S, T, D)."""
    idx = np.arange(num_segments)
    return catmull_rom_segment(padded[idx], padded[idx + 1],
                               padded[idx + 2], padded[idx + 3], ts)


def _padded_chain(points: np.ndarray, closed: bool) -> np.ndarray:
    """Add the phantom end points a Catmull-Rom chain needs."""
    if closed:
        return np.concatenate([points[-1:], points, points[:2]], axis=0)
    head = 2 * points[0] - points[1]
    tail = 2 * points[-1] - points[-2]
    return np.concatenate([head[None], points, tail[None]], axis=0)


def catmull_rom_chain(points: np.ndarray,
                      samples_per_segment: int = 8,
                      closed: bool = False) -> np.ndarray:
    """Dense polyline of a spline that passes through every control point.

    Args:
        points (np.ndarray): control points, shape (N, D), N >= 2.
        samples_per_segment (int): samples per segment (the segment's end
            point is the next segment's start and is not repeated).
        closed (bool): whether the chain wraps around from the last point to
            the first.

    Returns:
        np.ndarray: polyline, shape (S * (N - 1) + 1, D) when open and
        (S * N, D) when closed, where S is ``samples_per_segment``.
    """
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 2 or len(points) < 2:
        raise ValueError(f'catmull_rom_chain expects (N>=2, D) points, got '
                         f'shape {points.shape}')
    padded = _padded_chain(points, closed)
    num_segments = len(points) if closed else len(points) - 1
    ts = np.arange(samples_per_segment) / samples_per_segment
    dense = _segments(padded, num_segments, ts).reshape(-1, points.shape[1])
    if closed:
        return dense
    return np.concatenate([dense, points[-1:]], axis=0)


def catmull_rom_midpoints(points: np.ndarray) -> np.ndarray:
    """Spline point halfway (in curve parameter) along each open segment.

    Args:
        points (np.ndarray): control points of an open chain, shape (N, D).

    Returns:
        np.ndarray: one point per segment, shape (N - 1, D).
    """
    points = np.asarray(points, dtype=np.float64)
    padded = _padded_chain(points, closed=False)
    return _segments(padded, len(points) - 1, np.array([0.5]))[:, 0]


def points_along_polyline(polyline: np.ndarray,
                          fractions: Sequence[float]) -> np.ndarray:
    """Points at given fractions of a polyline's arc length.

    Args:
        polyline (np.ndarray): vertices, shape (M, D), M >= 2.
        fractions (Sequence[float]): arc-length fractions in [0, 1].

    Returns:
        np.ndarray: interpolated points, shape (len(fractions), D).
    """
    polyline = np.asarray(polyline, dtype=np.float64)
    seg = np.linalg.norm(np.diff(polyline, axis=0), axis=1)
    cum = np.concatenate([[0.0], np.cumsum(seg)])
    targets = np.clip(np.asarray(fractions, dtype=np.float64), 0, 1) * cum[-1]
    return np.stack(
        [np.interp(targets, cum, polyline[:, d])
         for d in range(polyline.shape[1])],
        axis=1)
