"""The official WFLW layout: one face per line of a list file.

::

    WFLW_annotations/list_98pt_rect_attr_train_test/
        list_98pt_rect_attr_train.txt
        list_98pt_rect_attr_test.txt
    WFLW_images/<event>/<image>.jpg

A line holds 196 numbers (x0 y0 ... x97 y97), the box x_min y_min x_max
y_max, six 0/1 flags (pose, expression, illumination, make-up, occlusion,
blur) and the image path relative to ``WFLW_images/``. Every face knows its
split and the attributes flagged on its line (its subsets).
"""
import glob
import os.path as osp
from typing import Optional

from ..coco_format import FaceCocoBuilder, landmark_box
from ..errors import FaceDataError, InvalidSamplePolicy
from ..readers import WFLW_NUM_POINTS, read_text_lines, parse_wflw_line
from ..validation import require_faces
from .common import image_size, progress

LIST_NAME = 'list_98pt_rect_attr_{split}.txt'


def find_wflw_list(annotation_dir: str, split: str) -> str:
    """Find ``list_98pt_rect_attr_<split>.txt`` under ``annotation_dir``
    (searched recursively)."""
    name = LIST_NAME.format(split=split)
    direct = osp.join(annotation_dir, name)
    if osp.isfile(direct):
        return direct
    found = sorted(
        glob.glob(osp.join(annotation_dir, '**', name), recursive=True))
    if not found:
        raise FaceDataError(
            direct, 'annotation list not found',
            f'{name} in {annotation_dir} or one of its sub-folders')
    return found[0]


def split_of_list(list_file: str) -> str:
    """``'train'`` or ``'test'`` from a WFLW list file name."""
    stem = osp.splitext(osp.basename(list_file))[0]
    return 'train' if stem.endswith('train') else 'test'


def collect_wflw(list_file: str,
                 image_root: str,
                 split: Optional[str] = None,
                 policy: Optional[InvalidSamplePolicy] = None,
                 check_images: bool = True,
                 show_progress: bool = False) -> dict:
    """Read a WFLW list file into a COCO-style face dict.

    Args:
        list_file (str): ``list_98pt_rect_attr_{train,test}.txt``.
        image_root (str): ``WFLW_images/``.
        split (str, optional): Subset name of every face (default: from the
            file name, ``'train'`` or ``'test'``).
        policy (InvalidSamplePolicy, optional): Raise (default) or skip bad
            lines.
        check_images (bool): Decode every image in full.
        show_progress (bool): Show a progress bar.

    Returns:
        dict: COCO-style dict; file names relative to ``image_root``;
        subsets = ``(split, *flagged attributes)``. A list without faces
        (empty, or every line skipped) is an error.
    """
    policy = policy or InvalidSamplePolicy()
    split = split or split_of_list(list_file)
    builder = FaceCocoBuilder(WFLW_NUM_POINTS, f'WFLW {split}')
    lines = read_text_lines(list_file)
    skipped_before = len(policy.skipped)
    for lineno, text in progress(
            enumerate(lines, start=1), show_progress, f'WFLW {split}',
            total=len(lines)):
        if not text.strip():
            continue
        try:
            record = parse_wflw_line(text, list_file, lineno)
            img_path = osp.join(image_root, record.image)
            try:
                width, height = image_size(img_path, check_images)
            except FaceDataError as err:
                raise FaceDataError(list_file, f'image {img_path}: '
                                    f'{err.problem}', err.expected,
                                    lineno) from err
            center, side = landmark_box(record.keypoints)
            if side <= 0:
                raise FaceDataError(list_file, 'landmarks span a box of zero '
                                    'size', 'distinct landmarks', lineno)
        except FaceDataError as err:
            policy.handle(err)
            continue
        image_id = builder.add_image(record.image, width, height)
        builder.add_face(image_id, center, side, record.keypoints,
                         (split, ) + record.attributes)
    require_faces(len(builder.annotations), list_file,
                  len(policy.skipped) - skipped_before,
                  f'one face per line ({WFLW_NUM_POINTS} points, box, '
                  'flags, image)')
    return builder.to_dict()
