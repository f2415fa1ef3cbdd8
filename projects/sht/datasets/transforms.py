"""Pipeline transforms for face samples: loading (images and video frames),
the random view of a pair (Sec. 4.1) and packing with SHT's meta keys."""
import os.path as osp
from typing import Dict, Optional, Sequence, Tuple

import mmcv
import numpy as np
from mmpose.datasets.transforms import (LoadImage, PackPoseInputs,
                                        RandomBBoxTransform)
from mmpose.registry import TRANSFORMS

from .errors import FaceDataError
from .readers import VIDEO_EXTENSIONS, read_video_frame

#: meta keys of the project's data contract, added to PackPoseInputs' own
FACE_META_KEYS: Tuple[str, ...] = ('subsets', 'labeled', 'video_id',
                                   'frame_idx', 'pair_id', 'view',
                                   'view_rotation', 'view_scale', 'box_size')


@TRANSFORMS.register_module()
class LoadFaceImage(LoadImage):
    """Load a face image, or a frame of a video when the sample has
    ``frame_idx`` and ``img_path`` is a video (``.avi``, ``.mp4``...).

    Grayscale files are loaded as 3-channel BGR (``color_type='color'``),
    and so are given gray arrays ``img`` (H, W) or (H, W, 1) (e.g. passed
    to mmpose's ``inference_topdown``).
    A missing or undecodable file raises :class:`FaceDataError` naming it.

    Args: as mmpose's ``LoadImage``.
    """

    def transform(self, results: Dict) -> Optional[dict]:
        path = results.get('img_path')
        if 'img' in results or path is None:
            img = results.get('img')
            if self.color_type == 'color' and isinstance(img, np.ndarray) \
                    and (img.ndim == 2 or img.shape[2:] == (1, )):
                results['img'] = mmcv.gray2bgr(img.reshape(img.shape[:2]))
            return super().transform(results)
        if path.lower().endswith(VIDEO_EXTENSIONS):
            if results.get('frame_idx') is None:
                raise FaceDataError(path, 'a video without "frame_idx"',
                                    'samples of videos to carry frame_idx')
            img = read_video_frame(path, int(results['frame_idx']))
            if self.color_type == 'grayscale':
                img = mmcv.bgr2gray(img)
            elif self.color_type != 'color' and 'unchanged' not in str(
                    self.color_type):
                raise ValueError(f'unsupported color_type {self.color_type}')
            if self.to_float32:
                img = img.astype(np.float32)
            results['img'] = img
            results['img_shape'] = img.shape[:2]
            results['ori_shape'] = img.shape[:2]
            return results
        if not osp.isfile(path):
            raise FaceDataError(path, 'image not found')
        try:
            return super().transform(results)
        except Exception as err:  # mmcv raises several types
            raise FaceDataError(path, f'unreadable image ({err})',
                                'a JPEG/PNG/BMP image') from err


@TRANSFORMS.register_module()
class RandomPairView(RandomBBoxTransform):
    """Sample one view of a face for an image pair (Sec. 4.1).

    The paper draws the rotation in (-30, 30) degrees and the box scale in
    (0.8, 1.2) "from a standard Gaussian". Here, with independent
    ``z ~ N(0, 1)`` truncated to ``[-1, 1]`` (mmpose's
    ``RandomBBoxTransform`` sampling):

        rotation = rotate_factor * z_r          (default 30 -> (-30, 30) deg)
        scale = mean(scale_factor) + half_width(scale_factor) * z_s
                                                (default (0.8, 1.2))

    and no shift. Each call samples a new view; the sampled values are kept
    as ``view_rotation`` (degrees) and ``view_scale`` for the metainfo.

    Args:
        rotate_factor (float): Maximum rotation in degrees. Default 30.
        scale_factor (tuple): Scale range. Default (0.8, 1.2).
        shift_factor (float): Box shift factor. Default 0.
        shift_prob (float): Probability to shift. Default 0.
        rotate_prob (float): Probability to rotate. Default 1.
        scale_prob (float): Probability to rescale. Default 1.
    """

    def __init__(self,
                 rotate_factor: float = 30.0,
                 scale_factor: Tuple[float, float] = (0.8, 1.2),
                 shift_factor: float = 0.0,
                 shift_prob: float = 0.0,
                 rotate_prob: float = 1.0,
                 scale_prob: float = 1.0) -> None:
        super().__init__(
            shift_factor=shift_factor,
            shift_prob=shift_prob,
            scale_factor=scale_factor,
            scale_prob=scale_prob,
            rotate_factor=rotate_factor,
            rotate_prob=rotate_prob)

    @staticmethod
    def _truncnorm(low: float = -1.,
                   high: float = 1.,
                   size: tuple = ()) -> np.ndarray:
        """Standard normal truncated to [low, high], by rejection with
        numpy's global RNG (same law as mmpose's scipy ``truncnorm``, about
        20x faster for the few values drawn per view)."""
        shape = tuple(np.atleast_1d(size)) if np.ndim(size) else (
            (int(size), ) if size != () else ())
        count = int(np.prod(shape)) if shape else 1
        kept = np.zeros(0)
        while kept.size < count:
            z = np.random.standard_normal(max(2 * count, 8))
            kept = np.concatenate([kept, z[(z >= low) & (z <= high)]])
        return kept[:count].reshape(shape).astype(np.float32)

    def transform(self, results: Dict) -> Optional[dict]:
        before = np.asarray(results['bbox_scale'], dtype=np.float64).copy()
        results = super().transform(results)
        after = np.asarray(results['bbox_scale'], dtype=np.float64)
        results['view_rotation'] = float(np.asarray(
            results['bbox_rotation']).reshape(-1)[0])
        results['view_scale'] = float(after.reshape(-1)[0] /
                                      before.reshape(-1)[0])
        return results


@TRANSFORMS.register_module()
class PackFaceInputs(PackPoseInputs):
    """``PackPoseInputs`` that also keeps the face data contract's keys
    (``subsets``, ``labeled``, ``video_id``, ``frame_idx``, ``pair_id``,
    ``view``, ``view_rotation``, ``view_scale``, ``box_size``) in the
    metainfo of each ``PoseDataSample`` (keys a sample lacks are skipped).

    Args:
        meta_keys (Sequence[str]): Keys to keep; default PackPoseInputs'
            keys plus :data:`FACE_META_KEYS`.
        pack_transformed (bool): Also pack ``transformed_keypoints``.
    """

    DEFAULT_META_KEYS: Tuple[str, ...] = (
        'id', 'img_id', 'img_path', 'category_id', 'crowd_index',
        'ori_shape', 'img_shape', 'input_size', 'input_center',
        'input_scale', 'flip', 'flip_direction', 'flip_indices',
        'raw_ann_info', 'dataset_name') + FACE_META_KEYS

    def __init__(self,
                 meta_keys: Sequence[str] = DEFAULT_META_KEYS,
                 pack_transformed: bool = False) -> None:
        super().__init__(
            meta_keys=tuple(meta_keys), pack_transformed=pack_transformed)
