"""The shared base of SHT's face datasets: mmpose json or official raw layout.

One dataset class reads either input:

- ``ann_file`` ending in ``.json``: mmpose's COCO-style face json (also the
  output of ``tools/dataset_converters``);
- otherwise the official raw layout under ``data_root`` (and, for list-based
  layouts, ``ann_file`` naming the list), selected by ``raw_split``. The raw
  readers in :mod:`sht.datasets.layouts` build the same COCO-style dict the
  converters write, so both inputs give identical samples.

Every sample (``data_info``) follows the project's data contract: ``bbox``
(1, 4) xyxy, ``keypoints`` (1, K, 2) 0-based pixels (zeros when unlabeled),
``keypoints_visible`` (1, K), ``subsets`` (tuple of str), ``labeled`` (bool),
and ``video_id`` / ``frame_idx`` for video frames.
"""
import copy
import os.path as osp
from typing import Dict, List, Optional, Sequence, Set, Tuple

import mmpose
import numpy as np
from mmpose.datasets.datasets.base import BaseCocoStyleDataset
from mmpose.registry import TRANSFORMS

from .errors import FaceDataError, InvalidSamplePolicy
from .readers import VIDEO_EXTENSIONS
from .validation import (check_image, check_video, load_json, require_faces,
                         require_finite_keypoints)

MMPOSE_METAINFO_DIR = osp.join(
    osp.dirname(mmpose.__file__), '.mim', 'configs', '_base_', 'datasets')
SHT_METAINFO_DIR = osp.join(osp.dirname(__file__), 'metainfo')


def mmpose_metainfo(file_name: str) -> dict:
    """``metainfo`` that loads one of mmpose's installed metainfo files by
    absolute path (so a same-named file in the working directory cannot
    shadow it)."""
    return dict(from_file=osp.join(MMPOSE_METAINFO_DIR, file_name))


def sht_metainfo(file_name: str) -> dict:
    """``metainfo`` that loads one of SHT's own metainfo files."""
    return dict(from_file=osp.join(SHT_METAINFO_DIR, file_name))


def _face_key(ann: dict, img: dict) -> Tuple:
    """Identity of a face across json files: image, frame and box centre."""
    if 'center' in ann:
        cx, cy = ann['center']
    else:
        x, y, w, h = ann['bbox']
        cx, cy = x + w / 2, y + h / 2
    frame = ann.get('frame_idx', img.get('frame_idx'))
    return (img['file_name'], frame, round(float(cx), 1), round(float(cy), 1))


class FaceLandmarkDataset(BaseCocoStyleDataset):
    """Face landmark dataset reading mmpose's json or an official raw layout.

    Subclasses set ``METAINFO`` and, when they read a raw layout,
    ``RAW_SPLITS`` and :meth:`collect_raw`.

    Args:
        ann_file (str): A ``.json`` file (COCO-style), or for list-based raw
            layouts the list file; ``''`` with ``raw_split`` reads the raw
            layout under ``data_root``.
        raw_split (str, optional): Which split of the raw layout to read
            (one of ``RAW_SPLITS``).
        labeled (bool): ``False`` drops the landmarks: keypoints and their
            visibility become zeros and ``labeled`` is ``False`` (Eq. 10,
            the heatmap term is off for these samples). Default ``True``.
        subset_ann_files (dict, optional): ``{subset: json}``; a face that
            also appears in that json gets the subset (for mmpose's
            per-subset jsons, e.g. 300W ``valid_challenge``).
        default_subsets (Sequence[str], optional): Subsets of faces whose
            json has no ``subsets`` key. Default ``DEFAULT_SUBSETS``.
        skip_invalid (bool): Skip invalid samples (and log how many and
            which) instead of raising. Default ``False``.
        check_images (bool): Check when loading that every image exists
            and decodes in full (a damaged or truncated JPEG is refused),
            and that every video's frames decode. Default ``True``.
            ``False`` only checks that the files exist (faster, e.g. for a
            json the converters already checked).
        show_progress (bool): Progress bar while reading a raw layout.
        **kwargs: Other arguments of mmpose's ``BaseCocoStyleDataset``.
    """

    METAINFO: dict = dict()
    RAW_SPLITS: Tuple[str, ...] = ()
    DEFAULT_SUBSETS: Tuple[str, ...] = ('all', )

    def __init__(self,
                 ann_file: str = '',
                 raw_split: Optional[str] = None,
                 labeled: bool = True,
                 subset_ann_files: Optional[Dict[str, str]] = None,
                 default_subsets: Optional[Sequence[str]] = None,
                 skip_invalid: bool = False,
                 check_images: bool = True,
                 show_progress: bool = False,
                 metainfo: Optional[dict] = None,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(img=''),
                 data_mode: str = 'topdown',
                 **kwargs) -> None:
        if data_mode != 'topdown':
            raise ValueError(f'{type(self).__name__} supports only '
                             f'data_mode="topdown", got "{data_mode}"')
        if raw_split is not None and raw_split not in self.RAW_SPLITS:
            raise ValueError(
                f'{type(self).__name__}: unknown raw_split "{raw_split}", '
                f'expected one of {self.RAW_SPLITS or "(none: json only)"}')
        self.raw_split = raw_split
        self.labeled = bool(labeled)
        self.subset_ann_files = dict(subset_ann_files or {})
        self.default_subsets = tuple(default_subsets or self.DEFAULT_SUBSETS)
        self.skip_invalid = bool(skip_invalid)
        self.check_images = bool(check_images)
        self.show_progress = bool(show_progress)
        if metainfo is None:
            metainfo = self.default_metainfo()
        #: the metainfo as given (e.g. ``dict(from_file=...)``), reused by
        #: wrappers that build a dataset with the same keypoint layout
        self.metainfo_source = copy.deepcopy(metainfo)
        self.skipped: List[FaceDataError] = []
        # built with mmpose's registry, so this works outside a default scope
        kwargs['pipeline'] = [
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in kwargs.get('pipeline', [])
        ]
        super().__init__(
            ann_file=ann_file,
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=copy.deepcopy(data_prefix),
            data_mode=data_mode,
            **kwargs)

    def default_metainfo(self) -> dict:
        """The metainfo used when none is given (``METAINFO``)."""
        return copy.deepcopy(self.METAINFO)

    @property
    def reads_json(self) -> bool:
        """Whether ``ann_file`` is a COCO-style json."""
        return str(self.ann_file).lower().endswith('.json')

    def collect_raw(self,
                    policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        """Read the raw layout into a COCO-style dict.

        Returns:
            tuple: The dict and the folder its ``file_name`` entries are
            relative to.
        """
        raise ValueError(
            f'{type(self).__name__} reads COCO-style json only: ann_file must '
            f'end with .json (got "{self.ann_file}")')

    # ------------------------------------------------------------------ load
    def load_data_list(self) -> List[dict]:
        """Load every face from the json or the raw layout."""
        if self.bbox_file:
            # detected boxes (test only): mmpose's loader, no ground truth
            data_list = super().load_data_list()
            for info in data_list:
                info.update(subsets=self.default_subsets, labeled=False)
            return data_list
        policy = InvalidSamplePolicy(self.skip_invalid)
        if self.reads_json:
            source = self.ann_file
            coco = load_json(source)
            image_prefix = self.data_prefix['img']
        elif self.ann_file or self.raw_split is not None:
            coco, image_prefix = self.collect_raw(policy)
            source = self.ann_file or self.data_root or ''
        else:
            raise ValueError(
                f'{type(self).__name__}: give ann_file (a .json) or '
                f'raw_split (one of {self.RAW_SPLITS})')
        data_list = self._parse_coco(coco, source, image_prefix, policy)
        self.skipped = policy.skipped
        policy.report(f'{type(self).__name__}({source})')
        require_faces(len(data_list), source, len(policy.skipped))
        return data_list

    def _subset_membership(self) -> Dict[str, Set[Tuple]]:
        members = {}
        for subset, path in self.subset_ann_files.items():
            if self.data_root and not osp.isabs(path):
                path = osp.join(self.data_root, path)
            if not osp.isfile(path):
                raise FaceDataError(path, f'subset "{subset}" json not found')
            coco = load_json(path)
            images = {img['id']: img for img in coco['images']}
            members[subset] = {
                _face_key(ann, images[ann['image_id']])
                for ann in coco['annotations']
            }
        return members

    def _parse_coco(self, coco: dict, source: str, image_prefix: str,
                    policy: InvalidSamplePolicy) -> List[dict]:
        for key in ('images', 'annotations'):
            if not isinstance(coco, dict) or key not in coco:
                raise FaceDataError(source, f'no "{key}" list',
                                    'a COCO-style json with "images" and '
                                    '"annotations"')
        images = {img['id']: img for img in coco['images']}
        members = self._subset_membership()
        checked: Dict[str, Optional[FaceDataError]] = {}
        data_list = []
        for ann in coco['annotations']:
            if ann.get('iscrowd', 0):
                continue
            img = images.get(ann.get('image_id'))
            try:
                if img is None:
                    raise FaceDataError(
                        source, f'annotation {ann.get("id")} refers to image '
                        f'id {ann.get("image_id")}', 'an id of "images"')
                info = self.parse_data_info(
                    dict(raw_ann_info=ann, raw_img_info=img),
                    source=source,
                    image_prefix=image_prefix)
                if self.reads_json and self.check_images:
                    self._check_media(info, source, checked)
            except FaceDataError as err:
                policy.handle(err)
                continue
            extra = [s for s, keys in members.items()
                     if _face_key(ann, img) in keys]
            info['subsets'] = tuple(info['subsets']) + tuple(
                s for s in extra if s not in info['subsets'])
            data_list.append(info)
        return data_list

    @staticmethod
    def _check_media(info: dict, source: str,
                     checked: Dict[str, Optional[FaceDataError]]) -> None:
        path = info['img_path']
        if path not in checked:
            checked[path] = None
            try:
                if path.lower().endswith(VIDEO_EXTENSIONS):
                    check_video(path, full=True)
                else:
                    check_image(path, full=True)
            except FaceDataError as err:
                checked[path] = FaceDataError(
                    source, f'annotation {info["id"]}: {err.path}: '
                    f'{err.problem}', err.expected or 'an image that exists')
        if checked[path] is not None:
            raise checked[path]

    def _check_labeled(self, ann: dict, kpts: np.ndarray, source: str,
                       where: str) -> None:
        """A face of a labeled set has its K finite landmarks."""
        num_keypoints = self.metainfo['num_keypoints']
        declared = ann.get('num_keypoints')
        if ann.get('labeled') is False or declared == 0 or not len(kpts):
            said = ('"labeled": false' if ann.get('labeled') is False else
                    f'num_keypoints {declared}' if declared == 0 else
                    'no keypoints')
            raise FaceDataError(
                source, f'{where}: {said} in a labeled set',
                f'{num_keypoints} landmarks per face (build the dataset '
                'with labeled=False for faces without landmarks)')
        if len(kpts) != num_keypoints:
            raise FaceDataError(
                source, f'{where}: {len(kpts)} keypoints',
                f'{num_keypoints} as in the dataset metainfo '
                f'"{self.metainfo["dataset_name"]}"')
        require_finite_keypoints(kpts, source, where)

    def parse_data_info(self,
                        raw_data_info: dict,
                        source: str = '',
                        image_prefix: Optional[str] = None) -> dict:
        """Turn one COCO-style face annotation into a ``data_info``.

        Args:
            raw_data_info (dict): ``raw_ann_info`` and ``raw_img_info``.
            source (str): The json or layout, for error messages.
            image_prefix (str, optional): Folder the image ``file_name`` is
                relative to (default ``data_prefix['img']``).

        Returns:
            dict: The sample (see the module docstring).
        """
        ann = raw_data_info['raw_ann_info']
        img = raw_data_info['raw_img_info']
        if image_prefix is None:
            image_prefix = self.data_prefix['img']
        where = f'annotation {ann.get("id")} ({img.get("file_name")})'
        num_keypoints = self.metainfo['num_keypoints']
        kpts = np.asarray(ann.get('keypoints', []), dtype=np.float32)
        if kpts.size % 3:
            raise FaceDataError(source, f'{where}: {kpts.size} keypoint '
                                'values', 'a multiple of 3 (x, y, v)')
        kpts = kpts.reshape(-1, 3)
        labeled = self.labeled
        if labeled:
            self._check_labeled(ann, kpts, source, where)
            keypoints = kpts[None, :, :2].copy()
            visible = np.minimum(1, kpts[None, :, 2])
        else:
            keypoints = np.zeros((1, num_keypoints, 2), dtype=np.float32)
            visible = np.zeros((1, num_keypoints), dtype=np.float32)
        if 'center' in ann and 'scale' in ann:
            # mmpose's face json: square box of side scale * 200 px
            cx, cy = (float(v) for v in ann['center'])
            half = float(ann['scale']) * 100.0
            box = [cx - half, cy - half, cx + half, cy + half]
        elif 'bbox' in ann:
            x, y, w, h = (float(v) for v in ann['bbox'])
            box = [x, y, x + w, y + h]
        else:
            raise FaceDataError(source, f'{where}: no box',
                                '"center" and "scale", or "bbox"')
        bbox = np.array([box], dtype=np.float32)
        if not np.isfinite(bbox).all():
            raise FaceDataError(source, f'{where}: box {box}',
                                'finite box values')
        if not (bbox[0, 2] > bbox[0, 0] and bbox[0, 3] > bbox[0, 1]):
            raise FaceDataError(source, f'{where}: box of zero size {box}',
                                'a box with width and height > 0')
        info = dict(
            img_id=ann['image_id'],
            img_path=osp.join(image_prefix, img['file_name']),
            bbox=bbox,
            bbox_score=np.ones(1, dtype=np.float32),
            num_keypoints=num_keypoints if labeled else 0,
            keypoints=keypoints,
            keypoints_visible=visible,
            iscrowd=ann.get('iscrowd', 0),
            id=ann['id'],
            category_id=ann.get('category_id', 1),
            subsets=tuple(ann.get('subsets') or self.default_subsets),
            labeled=labeled)
        video_id = ann.get('video_id', img.get('video_id'))
        if video_id is not None:
            info['video_id'] = str(video_id)
            info['frame_idx'] = int(ann.get('frame_idx', img.get('frame_idx')))
        if 'box_size' in ann:
            info['box_size'] = float(ann['box_size'])
        return info
