"""The official 300W layout: images beside 68-point ``.pts`` files.

::

    RAW_ROOT/afw/*.jpg + *.pts                 train
    RAW_ROOT/helen/trainset/*.jpg + *.pts      train
    RAW_ROOT/lfpw/trainset/*.png + *.pts       train
    RAW_ROOT/helen/testset/...                 common, full
    RAW_ROOT/lfpw/testset/...                  common, full
    RAW_ROOT/ibug/...                          challenging, full
    RAW_ROOT/300W/01_Indoor/...   (optional)   test, indoor   (private set)
    RAW_ROOT/300W/02_Outdoor/...  (optional)   test, outdoor

The private test set may also sit directly at ``RAW_ROOT/01_Indoor`` and
``RAW_ROOT/02_Outdoor``.
"""
import glob
import os.path as osp
from typing import Dict, List, Optional, Tuple

from ..coco_format import FaceCocoBuilder, landmark_box
from ..errors import FaceDataError, InvalidSamplePolicy
from ..readers import read_pts
from ..validation import require_faces
from .common import image_beside, image_size, progress, relpath

#: folder (relative to the root) -> subsets of its faces
FOLDER_SUBSETS: Dict[str, Tuple[str, ...]] = {
    'afw': ('train', ),
    'helen/trainset': ('train', ),
    'lfpw/trainset': ('train', ),
    'helen/testset': ('common', 'full'),
    'lfpw/testset': ('common', 'full'),
    'ibug': ('challenging', 'full'),
    '01_Indoor': ('test', 'indoor'),
    '02_Outdoor': ('test', 'outdoor'),
}
#: split -> folders it reads
SPLIT_FOLDERS: Dict[str, Tuple[str, ...]] = {
    'train': ('afw', 'helen/trainset', 'lfpw/trainset'),
    'common': ('helen/testset', 'lfpw/testset'),
    'challenging': ('ibug', ),
    'full': ('helen/testset', 'lfpw/testset', 'ibug'),
    'test': ('01_Indoor', '02_Outdoor'),
}
LAYOUT = ('the 300W layout: afw/, helen/{trainset,testset}/, '
          'lfpw/{trainset,testset}/, ibug/ (and optionally '
          '300W/{01_Indoor,02_Outdoor}/)')


def private_test_dir(root: str, folder: str) -> Optional[str]:
    """Where a private-test folder lives (``300W/<folder>`` or
    ``<folder>``), or ``None``."""
    for candidate in (osp.join(root, '300W', folder), osp.join(root, folder)):
        if osp.isdir(candidate):
            return candidate
    return None


def has_private_test(root: str) -> bool:
    """Whether the private 300W test set is present under ``root``."""
    return any(
        private_test_dir(root, f) is not None
        for f in SPLIT_FOLDERS['test'])


def _folder_path(root: str, folder: str) -> str:
    if folder in SPLIT_FOLDERS['test']:
        path = private_test_dir(root, folder)
        if path is None:
            raise FaceDataError(
                osp.join(root, '300W', folder), 'folder not found',
                'the private 300W test set in 300W/01_Indoor and '
                '300W/02_Outdoor')
        return path
    path = osp.join(root, *folder.split('/'))
    if not osp.isdir(path):
        raise FaceDataError(path, 'folder not found', LAYOUT)
    return path


def collect_300w(root: str,
                 split: str,
                 policy: Optional[InvalidSamplePolicy] = None,
                 check_images: bool = True,
                 show_progress: bool = False) -> dict:
    """Read one split of the raw 300W layout into a COCO-style face dict.

    Args:
        root (str): The 300W root (holding ``afw/``, ``helen/``...).
        split (str): ``'train'``, ``'common'``, ``'challenging'``,
            ``'full'`` or ``'test'`` (private set).
        policy (InvalidSamplePolicy, optional): Raise (default) or skip bad
            samples.
        check_images (bool): Decode every image in full.
        show_progress (bool): Show a progress bar.

    Returns:
        dict: COCO-style dict; file names are relative to ``root``;
        keypoints are the ``.pts`` values minus 1.
    """
    if split not in SPLIT_FOLDERS:
        raise ValueError(f'unknown 300W split "{split}", expected one of '
                         f'{sorted(SPLIT_FOLDERS)}')
    policy = policy or InvalidSamplePolicy()
    builder = FaceCocoBuilder(68, f'300W {split} (from {root})')
    pts_files: List[Tuple[str, str]] = []
    skipped_before = len(policy.skipped)
    folders = []
    for folder in SPLIT_FOLDERS[split]:
        path = _folder_path(root, folder)
        folders.append(path)
        pts_files += [(folder, p)
                      for p in sorted(glob.glob(osp.join(path, '*.pts')))]
    for folder, pts_path in progress(pts_files, show_progress,
                                     f'300W {split}'):
        try:
            keypoints = read_pts(pts_path, 68)
            img_path = image_beside(pts_path)
            width, height = image_size(img_path, check_images)
            center, side = landmark_box(keypoints)
            if side <= 0:
                raise FaceDataError(pts_path, 'landmarks span a box of zero '
                                    'size', 'landmarks that are not all equal')
        except FaceDataError as err:
            policy.handle(err)
            continue
        image_id = builder.add_image(relpath(img_path, root), width, height)
        builder.add_face(image_id, center, side, keypoints,
                         FOLDER_SUBSETS[folder])
    require_faces(len(builder.annotations), ', '.join(folders),
                  len(policy.skipped) - skipped_before,
                  'images beside 68-point .pts files')
    return builder.to_dict()
