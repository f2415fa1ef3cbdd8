"""The official 300VW layout: one folder per video.

::

    RAW_ROOT/<video id>/vid.avi
    RAW_ROOT/<video id>/annot/000001.pts, 000002.pts, ...

``annot/NNNNNN.pts`` holds the 68 landmarks of frame ``NNNNNN`` counted
from 1, i.e. of the frame with 0-based index ``frame_idx = NNNNNN - 1`` in
``vid.avi`` (what OpenCV decodes after seeking to ``frame_idx``). Of the 114
videos, 64 form the test set in three categories; the other 50 are the
training set.
"""
import glob
import os
import os.path as osp
from typing import Dict, Iterable, List, Optional, Tuple, Union

import numpy as np

from ..coco_format import FaceCocoBuilder, landmark_box
from ..errors import FaceDataError, InvalidSamplePolicy
from ..readers import read_pts
from ..validation import check_video, load_json, require_faces
from .common import progress, relpath

#: The 300VW test categories (1: well lit, 2: mild, 3: challenging).
TEST_CATEGORIES: Dict[str, Tuple[str, ...]] = {
    'category1': ('114', '124', '125', '126', '150', '158', '401', '402',
                  '505', '506', '507', '508', '509', '510', '511', '514',
                  '515', '518', '519', '520', '521', '522', '524', '525',
                  '537', '538', '540', '541', '546', '547', '548'),
    'category2': ('203', '208', '211', '212', '213', '214', '218', '224',
                  '403', '404', '405', '406', '407', '408', '409', '412',
                  '550', '551', '553'),
    'category3': ('410', '411', '516', '517', '526', '528', '529', '530',
                  '531', '533', '557', '558', '559', '562'),
}
SPLITS = ('train', 'test', 'test1', 'test2', 'test3', 'all')


def video_subsets(video_id: str) -> Tuple[str, ...]:
    """Subsets of a video: ``('test', 'categoryN')`` or ``('train', )``."""
    for category, videos in TEST_CATEGORIES.items():
        if video_id in videos:
            return ('test', category)
    return ('train', )


def _in_split(subsets: Tuple[str, ...], split: str) -> bool:
    if split == 'all':
        return True
    if split in ('train', 'test'):
        return subsets[0] == split
    return subsets[-1] == 'category' + split[-1]


def load_broken_frames(
        source: Union[None, str, Dict[str, Iterable[int]]]
) -> Dict[str, set]:
    """Frames to leave out, as ``{video_id: {frame number counted from 1}}``.

    Args:
        source: ``None``, a dict, or a ``.json`` / ``.npy`` file holding such
            a dict (mmpose ships one as ``broken_frames.npy``).
    """
    if source is None:
        return {}
    if isinstance(source, str):
        if not osp.isfile(source):
            raise FaceDataError(source, 'broken-frame list not found')
        if source.endswith('.npy'):
            source = np.load(source, allow_pickle=True).item()
        else:
            source = load_json(source)
    return {str(k): {int(v) for v in frames} for k, frames in source.items()}


def list_videos(root: str) -> List[str]:
    """Video ids: sub-folders of ``root`` that hold ``vid.avi`` or
    ``annot/``."""
    if not osp.isdir(root):
        raise FaceDataError(root, 'folder not found',
                            'the 300VW layout <video id>/vid.avi, '
                            '<video id>/annot/*.pts')
    return sorted(
        d for d in os.listdir(root)
        if osp.isfile(osp.join(root, d, 'vid.avi'))
        or osp.isdir(osp.join(root, d, 'annot')))


def collect_300vw(root: str,
                  split: str = 'train',
                  policy: Optional[InvalidSamplePolicy] = None,
                  broken_frames=None,
                  show_progress: bool = False,
                  check_images: bool = True) -> dict:
    """Read the raw 300VW layout into a COCO-style face dict.

    Every annotation has ``video_id`` and ``frame_idx``; its image entry
    points at ``<video id>/vid.avi`` with the same ``frame_idx`` (decoded by
    ``LoadFaceImage``).

    Args:
        root (str): The 300VW root.
        split (str): ``'train'``, ``'test'``, ``'test1'``-``'test3'`` (one
            category) or ``'all'``.
        policy (InvalidSamplePolicy, optional): Raise or skip bad samples.
        broken_frames: Frames to leave out (see :func:`load_broken_frames`).
        show_progress (bool): Show a progress bar.
        check_images (bool): Decode every frame of every video and check
            that as many frames decode as the video reports (otherwise the
            video is only opened).

    Returns:
        dict: COCO-style dict; keypoints are the ``.pts`` values minus 1.
    """
    if split not in SPLITS:
        raise ValueError(f'unknown 300VW split "{split}", expected one of '
                         f'{SPLITS}')
    policy = policy or InvalidSamplePolicy()
    broken = load_broken_frames(broken_frames)
    skipped_before = len(policy.skipped)
    builder = FaceCocoBuilder(68, f'300VW {split} (from {root})')
    for video_id in progress(
            list_videos(root), show_progress, f'300VW {split}',
            unit='video'):
        subsets = video_subsets(video_id)
        if not _in_split(subsets, split):
            continue
        video = osp.join(root, video_id, 'vid.avi')
        try:
            width, height, num_frames = check_video(video, check_images)
        except FaceDataError as err:
            policy.handle(err)
            continue
        pts_files = sorted(
            glob.glob(osp.join(root, video_id, 'annot', '*.pts')))
        if not pts_files:
            policy.handle(
                FaceDataError(
                    osp.join(root, video_id, 'annot'), 'no .pts files',
                    'one 68-point .pts per frame'))
            continue
        for pts_path in pts_files:
            stem = osp.splitext(osp.basename(pts_path))[0]
            try:
                if not stem.isdigit() or int(stem) < 1:
                    raise FaceDataError(pts_path, 'name is not a frame '
                                        'number', '000001.pts, 000002.pts...')
                frame_number = int(stem)
                if frame_number in broken.get(video_id, ()):
                    continue
                if frame_number > num_frames:
                    raise FaceDataError(
                        pts_path, f'frame {frame_number} but {video} has '
                        f'{num_frames} frames', 'a frame of the video')
                keypoints = read_pts(pts_path, 68)
                center, side = landmark_box(keypoints)
                if side <= 0:
                    raise FaceDataError(pts_path, 'landmarks span a box of '
                                        'zero size', 'distinct landmarks')
            except FaceDataError as err:
                policy.handle(err)
                continue
            frame_idx = frame_number - 1
            rel = relpath(video, root)
            image_id = builder.add_image(
                rel, width, height, key=f'{rel}#{frame_idx}',
                video_id=video_id, frame_idx=frame_idx)
            builder.add_face(image_id, center, side, keypoints, subsets,
                             video_id=video_id, frame_idx=frame_idx)
    require_faces(len(builder.annotations), root,
                  len(policy.skipped) - skipped_before,
                  f'<video id>/vid.avi with annot/*.pts of split "{split}"')
    return builder.to_dict()
