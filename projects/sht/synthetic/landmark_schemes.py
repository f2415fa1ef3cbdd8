"""Feature curves of the 68-point face and the other landmark schemes.

The renderer draws every feature along the curves returned by
:func:`feature_curves`, and the 98-point (WFLW) and 5-point (CelebA) schemes
are taken from the same curves, so that every point of every scheme lies on
a drawn edge.

68 -> 98 (WFLW) mapping, 0-based indices:

=========  ===================================================================
WFLW       from the 68-point face
=========  ===================================================================
0-32       contour: ``98[2i] = 68[i]``; ``98[2i+1]`` = jaw-spline midpoint of
           68[i], 68[i+1]
33-37      image-left brow upper edge = 68[17..21]
38-41      its lower edge, under 68[21], 68[20], 68[19], 68[18]
42-46      image-right brow upper edge = 68[22..26]
47-50      its lower edge, under 68[25], 68[24], 68[23], 68[22]
51-54      nose bridge = 68[27..30]
55-59      nose base = 68[31..35]
60-67      image-left eye: 60 = 68[36] (outer corner), 61-63 at 1/4, 1/2,
           3/4 of the upper-lid spline 36-37-38-39, 64 = 68[39], 65-67 at
           1/4, 1/2, 3/4 of the lower-lid spline 39-40-41-36
68-75      image-right eye: 68 = 68[42] (inner corner), 69-71 on the upper
           lid 42-43-44-45, 72 = 68[45], 73-75 on the lower lid 45-46-47-42
76-87      outer lips = 68[48..59]
88-95      inner lips = 68[60..67]
96, 97     pupil centres (image-left, image-right)
=========  ===================================================================

68 -> 5 (CelebA, ``lefteye righteye nose leftmouth rightmouth``): the two
pupil centres (image-left first), the nose tip 68[30] and the mouth corners
68[48], 68[54].
"""
from typing import Dict

import numpy as np

from .curves import (catmull_rom_chain, catmull_rom_midpoints,
                     points_along_polyline)

NUM_WFLW_POINTS = 98
SAMPLES_PER_SEGMENT = 8
_QUARTERS = (0.25, 0.5, 0.75)


def _chain(landmarks: np.ndarray, indices) -> np.ndarray:
    return catmull_rom_chain(landmarks[list(indices)], SAMPLES_PER_SEGMENT)


def feature_curves(landmarks: np.ndarray,
                   brow_lower: np.ndarray) -> Dict[str, np.ndarray]:
    """Dense polylines (M, 2) along which the face features are drawn.

    Args:
        landmarks (np.ndarray): 68 points, shape (68, 2).
        brow_lower (np.ndarray): brow lower edges, shape (2, 4, 2), under
            landmarks (21, 20, 19, 18) and (25, 24, 23, 22).

    Returns:
        dict: ``jaw``; ``brow_left``/``brow_right`` (closed outlines);
        ``eye_{left,right}_{upper,lower}`` lids (corner to corner, in the
        68-point order); ``nose_base``; ``lips_outer_{upper,lower}`` and
        ``lips_inner_{upper,lower}``.
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    lower = np.asarray(brow_lower, dtype=np.float64)
    curves = {'jaw': _chain(lm, range(0, 17))}
    for name, upper_idx, tip, low in (('brow_left', range(17, 22), 17,
                                       lower[0]),
                                      ('brow_right', range(22, 27), 26,
                                       lower[1])):
        upper = lm[list(upper_idx)]
        if name == 'brow_left':
            bottom = np.concatenate([low, lm[tip][None]])
        else:
            bottom = np.concatenate([lm[tip][None], low])
        curves[name] = np.concatenate([
            catmull_rom_chain(upper, SAMPLES_PER_SEGMENT),
            catmull_rom_chain(bottom, SAMPLES_PER_SEGMENT)
        ])
    curves['eye_left_upper'] = _chain(lm, (36, 37, 38, 39))
    curves['eye_left_lower'] = _chain(lm, (39, 40, 41, 36))
    curves['eye_right_upper'] = _chain(lm, (42, 43, 44, 45))
    curves['eye_right_lower'] = _chain(lm, (45, 46, 47, 42))
    curves['nose_base'] = _chain(lm, range(31, 36))
    curves['lips_outer_upper'] = _chain(lm, range(48, 55))
    curves['lips_outer_lower'] = _chain(lm, (54, 55, 56, 57, 58, 59, 48))
    curves['lips_inner_upper'] = _chain(lm, range(60, 65))
    curves['lips_inner_lower'] = _chain(lm, (64, 65, 66, 67, 60))
    return curves


def landmarks_68_to_98(landmarks: np.ndarray, pupils: np.ndarray,
                       brow_lower: np.ndarray) -> np.ndarray:
    """Map a 68-point face to the 98-point WFLW scheme (table above).

    Args:
        landmarks (np.ndarray): 68 points, shape (68, 2).
        pupils (np.ndarray): pupil centres, shape (2, 2), image-left first.
        brow_lower (np.ndarray): brow lower edges, shape (2, 4, 2).

    Returns:
        np.ndarray: 98 points, shape (98, 2), float32.
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    if lm.shape != (68, 2):
        raise ValueError(f'expected (68, 2) landmarks, got {lm.shape}')
    curves = feature_curves(lm, brow_lower)
    out = np.zeros((NUM_WFLW_POINTS, 2))
    out[0:33:2] = lm[0:17]
    out[1:33:2] = catmull_rom_midpoints(lm[0:17])
    out[33:38] = lm[17:22]
    out[38:42] = brow_lower[0]
    out[42:47] = lm[22:27]
    out[47:51] = brow_lower[1]
    out[51:55] = lm[27:31]
    out[55:60] = lm[31:36]
    for start, side, corner_a, corner_b in ((60, 'left', 36, 39),
                                            (68, 'right', 42, 45)):
        out[start] = lm[corner_a]
        out[start + 1:start + 4] = points_along_polyline(
            curves[f'eye_{side}_upper'], _QUARTERS)
        out[start + 4] = lm[corner_b]
        out[start + 5:start + 8] = points_along_polyline(
            curves[f'eye_{side}_lower'], _QUARTERS)
    out[76:96] = lm[48:68]
    out[96:98] = pupils
    return out.astype(np.float32)


def landmarks_68_to_5(landmarks: np.ndarray,
                      pupils: np.ndarray) -> np.ndarray:
    """CelebA's five points: left eye, right eye, nose, mouth corners.

    Args:
        landmarks (np.ndarray): 68 points, shape (68, 2).
        pupils (np.ndarray): pupil centres, shape (2, 2), image-left first.

    Returns:
        np.ndarray: shape (5, 2), float32.
    """
    lm = np.asarray(landmarks, dtype=np.float64)
    return np.stack([pupils[0], pupils[1], lm[30], lm[48],
                     lm[54]]).astype(np.float32)
