"""The official CelebA layout (flat, or in ``Img/``, ``Anno/``, ``Eval/``).

::

    img_align_celeba/000001.jpg ...         (aligned 178x218 faces)
    img_celeba/000001.jpg ...               (in-the-wild images)
    list_landmarks_align_celeba.txt         5 points of the aligned images
    list_landmarks_celeba.txt               5 points of the in-the-wild images
    list_bbox_celeba.txt                    boxes of the in-the-wild images
    list_eval_partition.txt                 name 0|1|2 (train/val/test)

The list files start with a count line and a header line, then one row per
image (``name x1 y1 ... x5 y5`` or ``name x_1 y_1 width height``). Faces get
their box from the 5 landmarks (:func:`five_point_box`) or, for the
in-the-wild images, from ``list_bbox_celeba.txt``.
"""
import os.path as osp
from typing import Optional

from ..coco_format import FaceCocoBuilder, five_point_box, square_box
from ..errors import FaceDataError, InvalidSamplePolicy
from ..readers import (read_celeba_bboxes, read_celeba_landmarks,
                       read_celeba_partition)
from .common import image_size, progress, relpath

SPLITS = ('train', 'val', 'test', 'all')


def find_celeba_file(root: str,
                     name: str,
                     subdirs: tuple,
                     required: bool = True) -> Optional[str]:
    """``root/name`` or ``root/<subdir>/name`` (official zips use ``Anno/``,
    ``Eval/``, ``Img/``); ``None`` or an error when absent."""
    for sub in ('', ) + subdirs:
        path = osp.join(root, sub, name)
        if osp.exists(path):
            return path
    if required:
        raise FaceDataError(
            osp.join(root, name), 'not found',
            f'{name} in {root} or in its ' + ', '.join(subdirs) +
            ' folder')
    return None


def collect_celeba(root: str,
                   split: str = 'all',
                   aligned: bool = True,
                   box_source: str = 'landmarks',
                   policy: Optional[InvalidSamplePolicy] = None,
                   check_images: bool = True,
                   show_progress: bool = False) -> dict:
    """Read the raw CelebA layout into a COCO-style face dict (5 points).

    Args:
        root (str): The CelebA root.
        split (str): ``'train'``, ``'val'``, ``'test'`` or ``'all'``.
        aligned (bool): Use ``img_align_celeba`` and its landmarks (default)
            or ``img_celeba`` (in the wild).
        box_source (str): ``'landmarks'`` (box from the 5 points) or
            ``'bbox'`` (``list_bbox_celeba.txt``, in-the-wild images only).
        policy (InvalidSamplePolicy, optional): Raise or skip bad samples.
        check_images (bool): Decode every image in full.
        show_progress (bool): Show a progress bar.

    Returns:
        dict: COCO-style dict with the 5 landmarks of each face; subsets =
        ``(partition, )`` (``('all', )`` without a partition file).
    """
    if split not in SPLITS:
        raise ValueError(f'unknown CelebA split "{split}", expected one of '
                         f'{SPLITS}')
    if box_source not in ('landmarks', 'bbox'):
        raise ValueError('box_source must be "landmarks" or "bbox", got '
                         f'"{box_source}"')
    if box_source == 'bbox' and aligned:
        raise ValueError('list_bbox_celeba.txt describes the in-the-wild '
                         'images: use aligned=False with box_source="bbox"')
    policy = policy or InvalidSamplePolicy()
    image_dir = find_celeba_file(
        root, 'img_align_celeba' if aligned else 'img_celeba', ('Img', ))
    landmark_file = find_celeba_file(
        root, 'list_landmarks_align_celeba.txt'
        if aligned else 'list_landmarks_celeba.txt', ('Anno', ))
    partition_file = find_celeba_file(
        root, 'list_eval_partition.txt', ('Eval', ), required=split != 'all')
    landmarks = read_celeba_landmarks(landmark_file)
    partition = (
        read_celeba_partition(partition_file) if partition_file else None)
    boxes = None
    if box_source == 'bbox':
        boxes = read_celeba_bboxes(
            find_celeba_file(root, 'list_bbox_celeba.txt', ('Anno', )))
    builder = FaceCocoBuilder(5, f'CelebA {split} (from {root})')
    for name, (points, line) in progress(landmarks.items(), show_progress,
                                         f'CelebA {split}',
                                         total=len(landmarks)):
        subset = partition.get(name) if partition is not None else 'all'
        if subset is None:
            policy.handle(
                FaceDataError(landmark_file, f'image {name} has no row in '
                              f'{partition_file}', 'one partition row per '
                              'image', line))
            continue
        if split != 'all' and subset != split:
            continue
        try:
            img_path = osp.join(image_dir, name)
            try:
                width, height = image_size(img_path, check_images)
            except FaceDataError as err:
                raise FaceDataError(landmark_file, f'image {img_path}: '
                                    f'{err.problem}', err.expected,
                                    line) from err
            if boxes is not None:
                if name not in boxes:
                    raise FaceDataError(
                        landmark_file, f'image {name} has no box in '
                        'list_bbox_celeba.txt', 'one box row per image',
                        line)
                center, side = square_box(boxes[name][0])
            else:
                center, side = five_point_box(points)
            if side <= 0:
                raise FaceDataError(landmark_file, 'box of zero size '
                                    '(all 5 landmarks equal)',
                                    'distinct landmarks', line)
        except FaceDataError as err:
            policy.handle(err)
            continue
        image_id = builder.add_image(relpath(img_path, root), width, height)
        builder.add_face(image_id, center, side, points, (subset, ))
    return builder.to_dict()
