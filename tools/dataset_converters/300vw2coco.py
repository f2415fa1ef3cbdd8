"""Convert the raw 300VW layout to mmpose-style COCO json files and frames.

Usage::

    python tools/dataset_converters/300vw2coco.py RAW_ROOT OUT_DIR \
        [--ext jpg|png] [--broken-frames FILE]

``RAW_ROOT`` holds ``<video id>/vid.avi`` and ``<video id>/annot/*.pts``.
Frames are decoded from ``vid.avi`` with OpenCV and written to
``OUT_DIR/<video id>/imgs/NNNNNN.<ext>`` (``NNNNNN`` = the ``.pts`` number,
counted from 1; frames already there are kept unless the video is newer
than they are, e.g. a replaced ``vid.avi``). Every video is decoded in full
first: its frame count must match the frames that decode. Writes
``300vw_train.json``, ``300vw_test.json`` and
``300vw_test_category{1,2,3}.json`` to ``OUT_DIR`` with file names relative
to ``OUT_DIR``; every face keeps ``video_id``, ``frame_idx`` (0-based
position in the video = NNNNNN - 1) and its subsets.
"""
import os
import os.path as osp
import sys
from collections import defaultdict
from typing import Dict, List, Optional

import cv2
from tqdm import tqdm

from sht.datasets.converters import (converter_parser, parse_converter_args,
                                     write_subsets)
from sht.datasets.errors import FaceDataError, InvalidSamplePolicy, run_cli
from sht.datasets.layouts import TEST_CATEGORIES, collect_300vw
from sht.datasets.validation import is_stale


def parse_args(argv: Optional[List[str]] = None):
    parser = converter_parser(__doc__, ('raw_root', '300VW root folder'),
                              ('out_dir', 'folder for frames and json files'))
    parser.add_argument('--ext', choices=('jpg', 'png'), default='jpg')
    parser.add_argument(
        '--broken-frames',
        default=None,
        help='.json/.npy dict {video id: [frame numbers]} to leave out')
    return parse_converter_args(parser, argv)


def extract_frames(video: str, frame_paths: Dict[int, str]) -> None:
    """Decode ``video`` once, writing frame ``i`` (0-based) to
    ``frame_paths[i]`` when that file is missing or older than the
    video."""
    todo = {i: p for i, p in frame_paths.items() if is_stale(p, [video])}
    if not todo:
        return
    cap = cv2.VideoCapture(video)
    try:
        last = max(todo)
        for index in range(last + 1):
            ok, frame = cap.read()
            if not ok:
                raise FaceDataError(video, f'cannot decode frame {index}',
                                    f'at least {last + 1} frames')
            if index in todo:
                os.makedirs(osp.dirname(todo[index]), exist_ok=True)
                if not cv2.imwrite(todo[index], frame):
                    raise OSError(f'cannot write {todo[index]}')
    finally:
        cap.release()


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    args = parse_args(argv)
    policy = InvalidSamplePolicy(args.skip_invalid)
    coco = collect_300vw(args.raw_root, 'all', policy, args.broken_frames,
                         show_progress=True)
    policy.report('300VW')
    by_video: Dict[str, Dict[int, str]] = defaultdict(dict)
    for img in coco['images']:
        name = f'{img["video_id"]}/imgs/{img["frame_idx"] + 1:06d}.' \
               f'{args.ext}'
        img['file_name'] = name
        by_video[img['video_id']][img['frame_idx']] = osp.join(
            args.out_dir, name)
    for video_id in tqdm(sorted(by_video), desc='300VW frames', unit='video'):
        extract_frames(
            osp.join(args.raw_root, video_id, 'vid.avi'), by_video[video_id])
    outputs = {'300vw_train.json': 'train', '300vw_test.json': 'test'}
    outputs.update({
        f'300vw_test_{category}.json': category
        for category in TEST_CATEGORIES
    })
    return write_subsets(coco, args.out_dir, outputs)


if __name__ == '__main__':
    sys.exit(run_cli(main))
