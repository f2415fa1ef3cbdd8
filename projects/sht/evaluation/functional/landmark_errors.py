"""Per-image normalised mean error (NME) of facial landmarks.

The face-alignment convention (used by every NME column of the paper's
Tables 1-4 and 6): for each image, the mean Euclidean distance between
predicted and ground-truth landmarks over the visible points, divided by a
per-image normaliser; the dataset figure is the mean of the per-image values.
This differs from mmpose's ``NME`` metric, which pools all visible points of
all images before averaging.

All functions take and return NumPy arrays. Errors are fractions (multiply by
100 for the percentages printed in the tables).

Note:
    - N: number of images (one face per image)
    - K: number of landmarks
"""
from typing import Optional, Sequence, Union

import numpy as np

IndexSpec = Union[int, Sequence[int]]


def _check_landmarks(name: str, points: np.ndarray) -> np.ndarray:
    points = np.asarray(points, dtype=np.float64)
    if points.ndim != 3 or points.shape[-1] != 2:
        raise ValueError(f'{name} must have shape (N, K, 2), '
                         f'got {points.shape}')
    return points


def _check_bboxes(bboxes: np.ndarray) -> np.ndarray:
    bboxes = np.asarray(bboxes, dtype=np.float64)
    if bboxes.ndim != 2 or bboxes.shape[-1] != 4:
        raise ValueError('bboxes must have shape (N, 4) as (x1, y1, x2, y2), '
                         f'got {bboxes.shape}')
    width = bboxes[:, 2] - bboxes[:, 0]
    height = bboxes[:, 3] - bboxes[:, 1]
    if np.any(width < 0) or np.any(height < 0):
        bad = int(np.flatnonzero((width < 0) | (height < 0))[0])
        raise ValueError(f'bbox {bad} is not (x1, y1, x2, y2) with x2 >= x1 '
                         f'and y2 >= y1: {bboxes[bad].tolist()}')
    return bboxes


def _index_list(name: str, index: IndexSpec, num_keypoints: int) -> list:
    indices = [index] if np.isscalar(index) else list(index)
    if len(indices) == 0:
        raise ValueError(f'{name} must name at least one landmark index')
    for i in indices:
        if int(i) != i or not 0 <= int(i) < num_keypoints:
            raise ValueError(f'{name} index {i} is not a landmark index '
                             f'of a {num_keypoints}-point layout')
    return [int(i) for i in indices]


def _landmark_centre(gt: np.ndarray, indices: list) -> np.ndarray:
    """Mean position of the given landmarks, shape (N, 2)."""
    return gt[:, indices, :].mean(axis=1)


def face_nme(pred: np.ndarray,
             gt: np.ndarray,
             normalizer: np.ndarray,
             visible: Optional[np.ndarray] = None) -> np.ndarray:
    """Per-image normalised mean error.

    ``nme_i = mean_{k visible} ||pred_ik - gt_ik||_2 / normalizer_i``.

    Args:
        pred (np.ndarray): Predicted landmarks, shape (N, K, 2).
        gt (np.ndarray): Ground-truth landmarks, shape (N, K, 2).
        normalizer (np.ndarray): Per-image normalising distance, shape (N,),
            in the same pixel unit as the landmarks; must be > 0.
        visible (np.ndarray, optional): Visibility, shape (N, K); points with
            a value <= 0 are left out. Defaults to all points visible.

    Returns:
        np.ndarray: Per-image NME as a fraction, shape (N,). An image without
        any visible point gets NaN.
    """
    pred = _check_landmarks('pred', pred)
    gt = _check_landmarks('gt', gt)
    if pred.shape != gt.shape:
        raise ValueError(f'pred {pred.shape} and gt {gt.shape} differ')
    num_images, num_keypoints = gt.shape[:2]
    normalizer = np.asarray(normalizer, dtype=np.float64).reshape(-1)
    if normalizer.shape != (num_images, ):
        raise ValueError(f'normalizer must have shape ({num_images},), '
                         f'got {normalizer.shape}')
    if np.any(~(normalizer > 0)):
        bad = int(np.flatnonzero(~(normalizer > 0))[0])
        raise ValueError(f'normalizer of image {bad} is {normalizer[bad]}; '
                         'it must be a positive distance')
    if visible is None:
        mask = np.ones((num_images, num_keypoints), dtype=bool)
    else:
        mask = np.asarray(visible).reshape(num_images, -1) > 0
        if mask.shape != (num_images, num_keypoints):
            raise ValueError(f'visible must have shape ({num_images}, '
                             f'{num_keypoints}), got {np.shape(visible)}')
    distances = np.linalg.norm(pred - gt, axis=-1)  # (N, K)
    count = mask.sum(axis=1)
    total = np.where(mask, distances, 0.0).sum(axis=1)
    with np.errstate(invalid='ignore', divide='ignore'):
        mean_error = np.where(count > 0, total / np.maximum(count, 1), np.nan)
    return mean_error / normalizer


def interocular(gt: np.ndarray, left: IndexSpec,
                right: IndexSpec) -> np.ndarray:
    """Inter-ocular distance: between the outer eye corners (NME_io).

    Args:
        gt (np.ndarray): Ground-truth landmarks, shape (N, K, 2).
        left (int | Sequence[int]): Index of the left outer eye corner (68
            points: 36; 98 points: 60). A sequence is averaged.
        right (int | Sequence[int]): Index of the right outer eye corner (68
            points: 45; 98 points: 72). A sequence is averaged.

    Returns:
        np.ndarray: Distance per image, shape (N,).
    """
    gt = _check_landmarks('gt', gt)
    left_pt = _landmark_centre(gt, _index_list('left', left, gt.shape[1]))
    right_pt = _landmark_centre(gt, _index_list('right', right, gt.shape[1]))
    return np.linalg.norm(left_pt - right_pt, axis=-1)


def interpupil(gt: np.ndarray, left_eye: IndexSpec,
               right_eye: IndexSpec) -> np.ndarray:
    """Inter-pupil distance: between the eye centres (NME_ip).

    Each eye centre is the mean of that eye's landmarks (68 points: 36-41 and
    42-47; 98 points: 60-67 and 68-75).

    Args:
        gt (np.ndarray): Ground-truth landmarks, shape (N, K, 2).
        left_eye (int | Sequence[int]): Indices of the left eye's landmarks.
        right_eye (int | Sequence[int]): Indices of the right eye's landmarks.

    Returns:
        np.ndarray: Distance per image, shape (N,).
    """
    gt = _check_landmarks('gt', gt)
    left_centre = _landmark_centre(
        gt, _index_list('left_eye', left_eye, gt.shape[1]))
    right_centre = _landmark_centre(
        gt, _index_list('right_eye', right_eye, gt.shape[1]))
    return np.linalg.norm(left_centre - right_centre, axis=-1)


def box_size(bboxes: np.ndarray) -> np.ndarray:
    """Box size ``sqrt(w * h)`` of the ground-truth face box (NME_box).

    Args:
        bboxes (np.ndarray): Boxes as (x1, y1, x2, y2), shape (N, 4).

    Returns:
        np.ndarray: ``sqrt((x2 - x1) * (y2 - y1))`` per image, shape (N,).
    """
    bboxes = _check_bboxes(bboxes)
    return np.sqrt((bboxes[:, 2] - bboxes[:, 0]) *
                   (bboxes[:, 3] - bboxes[:, 1]))


def box_diagonal(bboxes: np.ndarray) -> np.ndarray:
    """Diagonal ``sqrt(w^2 + h^2)`` of the ground-truth face box (NME_diag).

    Args:
        bboxes (np.ndarray): Boxes as (x1, y1, x2, y2), shape (N, 4).

    Returns:
        np.ndarray: Box diagonal per image, shape (N,).
    """
    bboxes = _check_bboxes(bboxes)
    return np.hypot(bboxes[:, 2] - bboxes[:, 0], bboxes[:, 3] - bboxes[:, 1])


def face_width(gt: np.ndarray,
               visible: Optional[np.ndarray] = None) -> np.ndarray:
    """Face width: ``max(x) - min(x)`` of the ground-truth landmarks
    (NME_wid).

    Args:
        gt (np.ndarray): Ground-truth landmarks, shape (N, K, 2).
        visible (np.ndarray, optional): Visibility, shape (N, K); only
            visible points count. Defaults to all points.

    Returns:
        np.ndarray: Face width per image, shape (N,); NaN for an image with
        no visible point.
    """
    gt = _check_landmarks('gt', gt)
    x = gt[..., 0]
    if visible is not None:
        mask = np.asarray(visible).reshape(x.shape) > 0
        x_max = np.where(mask, x, -np.inf).max(axis=1)
        x_min = np.where(mask, x, np.inf).min(axis=1)
        return np.where(mask.any(axis=1), x_max - x_min, np.nan)
    return x.max(axis=1) - x.min(axis=1)
