"""The face datasets of the paper, as thin subclasses of
:class:`FaceLandmarkDataset`.

=======================  ======  ====================================
class                    points  raw layout (``raw_split``)
=======================  ======  ====================================
SHTFace300WDataset       68      300W folders: train, common,
                                 challenging, full, test (private)
SHTWFLWDataset           98      WFLW list file: train, test
SHTAFLWDataset           19      json only (full; ``frontal`` subset)
SHTCelebADataset         5 / 68  CelebA lists: train, val, test, all
SHTHelenDataset          68      json only
SHTFace300VWDataset      68      300VW videos: train, test,
                                 test1-test3, all
SHTFrameFolderDataset    any     folders of frames (unlabeled)
=======================  ======  ====================================
"""
import os.path as osp
from typing import Tuple

from mmpose.registry import DATASETS

from .base import FaceLandmarkDataset, mmpose_metainfo, sht_metainfo
from .errors import InvalidSamplePolicy
from .layouts import (collect_300vw, collect_300w, collect_celeba,
                      collect_frame_folders, collect_wflw, find_wflw_list)


@DATASETS.register_module()
class SHTFace300WDataset(FaceLandmarkDataset):
    """300W (68 points). Subsets: ``train``; ``common``/``challenging``
    (both also ``full``); ``test`` + ``indoor``/``outdoor`` (private set).

    Raw layout: ``data_root`` holds ``afw/``, ``helen/``, ``lfpw/``,
    ``ibug/`` (and optionally ``300W/01_Indoor``, ``300W/02_Outdoor``).
    """
    METAINFO: dict = mmpose_metainfo('300w.py')
    RAW_SPLITS = ('train', 'common', 'challenging', 'full', 'test')

    def collect_raw(self, policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        coco = collect_300w(self.data_root, self.raw_split or 'full', policy,
                            self.check_images, self.show_progress)
        return coco, self.data_root


@DATASETS.register_module()
class SHTWFLWDataset(FaceLandmarkDataset):
    """WFLW (98 points). Subsets: ``train`` / ``test`` plus the attributes
    flagged on the face's line (``pose``, ``expression``, ``illumination``,
    ``makeup``, ``occlusion``, ``blur``).

    Raw layout: ``ann_file`` is ``list_98pt_rect_attr_{train,test}.txt``, or
    ``raw_split`` finds it under ``data_root``; images are read from
    ``data_prefix['img']`` (set it to ``WFLW_images/``).
    """
    METAINFO: dict = mmpose_metainfo('wflw.py')
    RAW_SPLITS = ('train', 'test')

    def collect_raw(self, policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        list_file = self.ann_file or find_wflw_list(self.data_root,
                                                    self.raw_split)
        coco = collect_wflw(list_file, self.data_prefix['img'],
                            self.raw_split, policy, self.check_images,
                            self.show_progress)
        return coco, self.data_prefix['img']


@DATASETS.register_module()
class SHTAFLWDataset(FaceLandmarkDataset):
    """AFLW-19 from mmpose's json. Faces are in ``full``; pass
    ``subset_ann_files=dict(frontal='..._test_frontal.json')`` to mark the
    frontal ones. ``box_size`` is kept for NME_box."""
    METAINFO: dict = mmpose_metainfo('aflw.py')
    DEFAULT_SUBSETS = ('full', )


@DATASETS.register_module()
class SHTHelenDataset(FaceLandmarkDataset):
    """Helen with the 68-point markup of 300W (the paper's protocol:
    2005 training and 50 test faces), from a COCO-style json."""
    METAINFO: dict = mmpose_metainfo('300w.py')


@DATASETS.register_module()
class SHTCelebADataset(FaceLandmarkDataset):
    """CelebA: its own 5 landmarks (raw lists or json) or 68 points from a
    json (e.g. detected with OpenFace, as in the paper).

    Args:
        num_keypoints (int): 5 (CelebA's landmarks, default) or 68 (the
            300W markup); picks the metainfo when none is given.
        aligned (bool): Raw layout: ``img_align_celeba`` (default) or
            ``img_celeba``.
        box_source (str): Raw layout: ``'landmarks'`` (box from the 5
            points) or ``'bbox'`` (``list_bbox_celeba.txt``, with
            ``aligned=False``).
    """
    RAW_SPLITS = ('train', 'val', 'test', 'all')

    def __init__(self,
                 num_keypoints: int = 5,
                 aligned: bool = True,
                 box_source: str = 'landmarks',
                 **kwargs) -> None:
        if num_keypoints not in (5, 68):
            raise ValueError(
                f'num_keypoints must be 5 or 68, got {num_keypoints}')
        self.num_keypoints = num_keypoints
        self.aligned = aligned
        self.box_source = box_source
        super().__init__(**kwargs)

    def default_metainfo(self) -> dict:
        return (sht_metainfo('celeba_5pt.py')
                if self.num_keypoints == 5 else mmpose_metainfo('300w.py'))

    def collect_raw(self, policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        if self.labeled and self.metainfo['num_keypoints'] != 5:
            raise ValueError(
                'raw CelebA lists have 5 landmarks: use labeled=False (box '
                'only) or a json with 68 points for a 68-point dataset')
        coco = collect_celeba(self.data_root, self.raw_split or 'all',
                              self.aligned, self.box_source, policy,
                              self.check_images, self.show_progress)
        return coco, self.data_root


@DATASETS.register_module()
class SHTFace300VWDataset(FaceLandmarkDataset):
    """300VW (68 points per frame). Every sample has ``video_id`` and
    ``frame_idx``; subsets ``train`` or ``test`` + ``category1``-``3``.

    Raw layout: ``data_root/<video id>/vid.avi`` and ``annot/*.pts``; frames
    are decoded from the video by ``LoadFaceImage``.

    Args:
        broken_frames (str | dict, optional): Frames to leave out (raw
            layout), ``{video_id: [frame number counted from 1]}`` or a
            ``.json``/``.npy`` file with that dict.
    """
    METAINFO: dict = mmpose_metainfo('300vw.py')
    RAW_SPLITS = ('train', 'test', 'test1', 'test2', 'test3', 'all')

    def __init__(self, broken_frames=None, **kwargs) -> None:
        self.broken_frames = broken_frames
        super().__init__(**kwargs)

    def collect_raw(self, policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        broken = self.broken_frames
        if isinstance(broken, str) and self.data_root \
                and not osp.isabs(broken):
            broken = osp.join(self.data_root, broken)
        coco = collect_300vw(self.data_root, self.raw_split or 'all', policy,
                             broken, self.show_progress)
        return coco, self.data_root


@DATASETS.register_module()
class SHTFrameFolderDataset(FaceLandmarkDataset):
    """Unlabeled video frames: YouTube Faces ``frame_images_DB`` (boxes from
    ``<person>.labeled_faces.txt``) or any folder of frame folders (whole
    frame as the box). Samples have ``video_id`` and ``frame_idx`` and no
    landmarks; K follows the metainfo (300W's 68 points by default, or the
    labeled set's when mixed by ``LabeledUnlabeledDataset``).

    Use ``raw_split='all'`` to read ``data_root``.
    """
    METAINFO: dict = mmpose_metainfo('300w.py')
    RAW_SPLITS = ('all', )

    def __init__(self, labeled: bool = False, **kwargs) -> None:
        if labeled:
            raise ValueError('SHTFrameFolderDataset has no landmarks: it '
                             'needs labeled=False')
        super().__init__(labeled=False, **kwargs)

    def collect_raw(self, policy: InvalidSamplePolicy) -> Tuple[dict, str]:
        coco = collect_frame_folders(self.data_root, policy,
                                     self.check_images, self.show_progress,
                                     self.metainfo['num_keypoints'])
        return coco, self.data_root

