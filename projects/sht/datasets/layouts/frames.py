"""Folders of video frames without landmarks (YouTube Faces, any video).

Two layouts are read:

- **YouTube Faces** (``frame_images_DB``): ``<person>/<n>/<frame>.jpg``
  beside ``<person>.labeled_faces.txt`` (``file,_,cx,cy,w,h,...`` per
  frame). Each ``<person>/<n>`` folder is one video; faces get the listed
  box.
- **Any folder of frames**: every folder under the root that holds images is
  one video (``video_id`` = its path relative to the root); frames are face
  crops and the box is the whole frame.

Frames of a video are ordered by a natural sort of their names;
``frame_idx`` is the 0-based position in that order.
"""
import glob
import os
import os.path as osp
from collections import defaultdict
from typing import Dict, List, Optional, Tuple

import numpy as np

from ..coco_format import FaceCocoBuilder, square_box
from ..errors import FaceDataError, InvalidSamplePolicy
from ..readers import read_ytf_boxes
from .common import (IMAGE_EXTENSIONS, image_size, natural_key, progress,
                     relpath)

YTF_BOX_SUFFIX = '.labeled_faces.txt'


def _ytf_frames(root: str) -> List[Tuple[str, np.ndarray, str, int]]:
    """(frame path, box, list file, line) for every listed YTF frame."""
    frames = []
    for list_file in sorted(glob.glob(osp.join(root, '*' + YTF_BOX_SUFFIX))):
        for name, (box, line) in read_ytf_boxes(list_file).items():
            frames.append((osp.join(root, name), box, list_file, line))
    return frames


def _folder_frames(root: str) -> List[str]:
    frames = []
    for folder, _, files in os.walk(root):
        frames += [
            osp.join(folder, f) for f in files
            if f.endswith(IMAGE_EXTENSIONS)
        ]
    return frames


def collect_frame_folders(root: str,
                          policy: Optional[InvalidSamplePolicy] = None,
                          check_images: bool = True,
                          show_progress: bool = False,
                          num_keypoints: int = 68) -> dict:
    """Read folders of frames into a COCO-style dict of unlabeled faces.

    Args:
        root (str): ``frame_images_DB`` of YouTube Faces, or any folder of
            frame folders.
        policy (InvalidSamplePolicy, optional): Raise or skip bad samples.
        check_images (bool): Decode every image in full (otherwise plain
            frame folders still read each header, for the whole-frame
            box).
        show_progress (bool): Show a progress bar.
        num_keypoints (int): K of the (all-zero) keypoints.

    Returns:
        dict: COCO-style dict; every face has ``video_id``, ``frame_idx``,
        subsets ``('all', )`` and no landmarks.
    """
    if not osp.isdir(root):
        raise FaceDataError(root, 'folder not found',
                            'a folder of frame folders')
    policy = policy or InvalidSamplePolicy()
    ytf = _ytf_frames(root)
    entries: List[Tuple[str, Optional[np.ndarray], str, Optional[int]]]
    if ytf:
        entries = ytf
    else:
        entries = [(p, None, p, None) for p in _folder_frames(root)]
    videos: Dict[str, List[tuple]] = defaultdict(list)
    for entry in entries:
        videos[relpath(osp.dirname(entry[0]), root)].append(entry)
    builder = FaceCocoBuilder(num_keypoints, f'frames (from {root})')
    for video_id in progress(
            sorted(videos, key=natural_key), show_progress, 'frame folders',
            unit='video'):
        frames = sorted(
            videos[video_id], key=lambda e: natural_key(osp.basename(e[0])))
        frame_idx = 0
        for path, box, source, line in frames:
            try:
                try:
                    width, height = image_size(path, check_images,
                                               need_size=box is None)
                except FaceDataError as err:
                    if line is None:
                        raise
                    raise FaceDataError(source, f'frame {path}: '
                                        f'{err.problem}', err.expected,
                                        line) from err
                if box is None:
                    box = np.array([0, 0, width, height], np.float32)
                center, side = square_box(box)
            except FaceDataError as err:
                policy.handle(err)
                continue
            rel = relpath(path, root)
            image_id = builder.add_image(
                rel, width, height, video_id=video_id, frame_idx=frame_idx)
            builder.add_face(
                image_id, center, side, None, ('all', ),
                video_id=video_id, frame_idx=frame_idx)
            frame_idx += 1
    return builder.to_dict()
