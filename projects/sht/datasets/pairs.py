"""Pairs of views of one face for SHT (Sec. 4.1, Eq. 9).

"For a single face image, we randomly sample the angle of rotation and the
bounding box scale [...] and for videos, two frames are randomly selected."
:class:`FacePairDataset` wraps a face dataset and returns, for each index,
the two views ``[view_j, view_k]`` of one face, each run through the
per-view pipeline (e.g. ``LoadFaceImage``, ``GetBBoxCenterScale``,
``RandomPairView``, ``TopdownAffine``, ``GenerateTarget``,
``PackFaceInputs``). :func:`pair_collate` flattens a batch of pairs to
``[j0, k0, j1, k1, ...]`` so the estimator finds views j at ``inputs[0::2]``
and views k at ``inputs[1::2]``.
"""
import copy
from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

import numpy as np
from mmcv.transforms import LoadImageFromFile
from mmengine.dataset import BaseDataset, Compose, pseudo_collate
from mmengine.registry import FUNCTIONS
from mmpose.registry import DATASETS, TRANSFORMS
from torch.utils.data import Dataset

from .metainfo import check_same_faces, inherit_metainfo

PAIR_MODES = ('image', 'video')


@DATASETS.register_module()
class FacePairDataset(Dataset):
    """Two views of one face: two random warps of an image, or two random
    frames of one video.

    Args:
        dataset (dict | BaseDataset): The face dataset (its own pipeline is
            not used; keep it empty).
        pipeline (Sequence[dict | Callable]): Per-view pipeline, run once
            for each view.
        pair_mode (str): ``'image'``: both views come from sample ``idx``
            (they differ by the random transforms of the pipeline, e.g.
            ``RandomPairView``). ``'video'``: view j is frame ``idx``, view k
            a uniformly drawn other frame of the same ``video_id`` (the
            same frame for a one-frame video).
        lazy_init (bool): Defer :meth:`full_init`. Default ``False``.
        metainfo (dict, optional): mmpose metainfo of the faces (a dict or
            ``dict(from_file=...)``). A ``dataset`` config without its own
            metainfo takes it; a built dataset must hold the same faces
            (name, K, flip indices). mmpose's ``init_model`` and
            ``MMPoseInferencer`` read it from the config when this is the
            training set. Default: the wrapped dataset's.

    Each view is the packed dict of the pipeline; its metainfo carries
    ``pair_id`` (= ``idx``), ``view`` (0 for j, 1 for k) and ``labeled``.
    """

    def __init__(self,
                 dataset: Union[dict, BaseDataset],
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 pair_mode: str = 'image',
                 lazy_init: bool = False,
                 metainfo: Optional[dict] = None) -> None:
        if pair_mode not in PAIR_MODES:
            raise ValueError(f'pair_mode must be one of {PAIR_MODES}, got '
                             f'"{pair_mode}"')
        if isinstance(dataset, dict) and metainfo is not None:
            dataset = inherit_metainfo(dataset, metainfo)
        self.dataset = (
            DATASETS.build(dataset) if isinstance(dataset, dict) else dataset)
        check_same_faces(metainfo, self.dataset.metainfo,
                         f'FacePairDataset of {type(self.dataset).__name__}')
        # built with mmpose's registry, so this works outside a default scope
        self.pipeline = Compose([
            TRANSFORMS.build(t) if isinstance(t, dict) else t
            for t in pipeline
        ])
        self.pair_mode = pair_mode
        # both views of one image share the decoded image
        self._loads_first = bool(self.pipeline.transforms) and isinstance(
            self.pipeline.transforms[0], LoadImageFromFile)
        self._video_frames: List[np.ndarray] = []
        self._video_of: np.ndarray = np.zeros(0, dtype=np.int64)
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """The wrapped dataset's metainfo."""
        return copy.deepcopy(self.dataset.metainfo)

    @property
    def metainfo_source(self) -> Any:
        """The wrapped dataset's metainfo as given (see
        ``FaceLandmarkDataset``)."""
        return getattr(self.dataset, 'metainfo_source', None)

    def full_init(self) -> None:
        """Load the wrapped dataset and, in video mode, group its frames by
        ``video_id``."""
        if self._fully_initialized:
            return
        self.dataset.full_init()
        if self.pair_mode == 'video':
            groups: Dict[str, List[int]] = defaultdict(list)
            video_of = np.zeros(len(self.dataset), dtype=np.int64)
            names: Dict[str, int] = {}
            for idx in range(len(self.dataset)):
                info = self.dataset.get_data_info(idx)
                if 'video_id' not in info:
                    raise ValueError(
                        f'pair_mode="video" needs samples with "video_id"; '
                        f'sample {idx} ({info.get("img_path")}) of '
                        f'{type(self.dataset).__name__} has none')
                video = info['video_id']
                names.setdefault(video, len(names))
                groups[video].append(idx)
                video_of[idx] = names[video]
            self._video_frames = [
                np.asarray(groups[v], dtype=np.int64) for v in names
            ]
            self._video_of = video_of
        self._fully_initialized = True

    def __len__(self) -> int:
        self.full_init()
        return len(self.dataset)

    def partner_index(self, idx: int) -> int:
        """Index of view k for view j = ``idx`` (uses numpy's global RNG,
        seeded per dataloader worker by mmengine)."""
        if self.pair_mode == 'image':
            return idx
        frames = self._video_frames[self._video_of[idx]]
        if len(frames) == 1:
            return idx
        others = frames[frames != idx]
        return int(others[np.random.randint(len(others))])

    def get_data_info(self, idx: int) -> dict:
        """The wrapped dataset's sample ``idx``."""
        return self.dataset.get_data_info(idx)

    def apply_transforms(self, transforms: Sequence[Callable],
                         results: dict) -> dict:
        """Run ``transforms`` on ``results``; a dropped sample is an
        error."""
        for transform in transforms:
            results = transform(results)
            if results is None:
                raise RuntimeError(f'{type(transform).__name__} dropped the '
                                   'sample of a pair')
        return results

    def prepare_view(self,
                     idx: int,
                     pair_id: int,
                     view: int,
                     loaded: Optional[dict] = None) -> dict:
        """Run the per-view pipeline on sample ``idx``.

        Args:
            idx (int): Sample index in the wrapped dataset.
            pair_id (int): Id of the pair (its view-j index).
            view (int): 0 for view j, 1 for view k.
            loaded (dict, optional): Sample ``idx`` after the pipeline's
                loading step, shared by both views of an image pair (the
                image is decoded once); the other steps then run on a copy.
        """
        transforms = self.pipeline.transforms
        if loaded is not None:
            info = copy.deepcopy(loaded)
            transforms = transforms[1:]
        else:
            info = self.dataset.get_data_info(idx)
        info['pair_id'] = int(pair_id)
        info['view'] = int(view)
        info.setdefault('labeled', True)
        return self.apply_transforms(transforms, info)

    def __getitem__(self, idx: int) -> List[dict]:
        self.full_init()
        partner = self.partner_index(idx)
        loaded = None
        if partner == idx and self._loads_first:
            loaded = self.apply_transforms(self.pipeline.transforms[:1],
                                           self.dataset.get_data_info(idx))
        return [
            self.prepare_view(idx, idx, 0, loaded),
            self.prepare_view(partner, idx, 1, loaded)
        ]


@FUNCTIONS.register_module()
def pair_collate(data_batch: Sequence[Sequence[dict]]) -> Any:
    """Flatten a batch of pairs to ``[j0, k0, j1, k1, ...]`` and collate it
    with mmengine's ``pseudo_collate``.

    Args:
        data_batch (Sequence[Sequence[dict]]): B pairs ``[view_j, view_k]``.

    Returns:
        dict: ``inputs`` (list of 2B tensors) and ``data_samples`` (list of
        2B ``PoseDataSample``), views j at even and views k at odd
        positions.
    """
    flat = []
    for i, pair in enumerate(data_batch):
        if len(pair) != 2:
            raise ValueError(f'pair_collate expects pairs of 2 views; item '
                             f'{i} has {len(pair)}')
        flat.extend(pair)
    return pseudo_collate(flat)
