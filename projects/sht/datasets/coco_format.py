"""The COCO-style face json shared by the converters and the raw readers.

The layout is mmpose's face json (``images``, ``annotations`` with
``keypoints`` [x, y, v] * K, ``center``, ``scale`` in units of 200 px,
``num_keypoints``), so mmpose's own ``Face300WDataset``, ``WFLWDataset``,
``AFLWDataset`` and ``Face300VWDataset`` read it. SHT adds a few keys that
mmpose ignores: ``subsets`` (list of str), ``labeled`` (bool), and for video
frames ``video_id`` (str) and ``frame_idx`` (0-based int).

Boxes follow mmpose's face converters: a square of side
``ceil(max(w, h))`` pixels centred on the landmarks' bounding box, stored as
``center`` and ``scale = side / 200``; ``bbox`` holds the same square as
``[x, y, w, h]``.
"""
import json
import math
import os
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

PIXEL_STD = 200.0


def landmark_box(keypoints: np.ndarray) -> Tuple[np.ndarray, float]:
    """Square face box around landmarks, as mmpose's face converters make it.

    Args:
        keypoints (np.ndarray): Landmarks in shape (K, 2).

    Returns:
        tuple: ``center`` (2,) = centre of the landmarks' bounding box and
        ``side`` = ``ceil(max(width, height))`` in pixels.
    """
    kpts = np.asarray(keypoints, dtype=np.float64).reshape(-1, 2)
    low, high = kpts.min(axis=0), kpts.max(axis=0)
    side = float(math.ceil(float((high - low).max())))
    return (low + high) / 2.0, side


def five_point_box(five_points: np.ndarray,
                   side_factor: float = 2.0,
                   down_shift: float = 0.1) -> Tuple[np.ndarray, float]:
    """Face box from 5 landmarks (eye centres, nose tip, mouth corners).

    The box approximates the 68-point landmark box: a square whose side is
    ``side_factor`` times the larger side of the 5 points' bounding box,
    centred on that box's centre moved down by ``down_shift`` times the same
    side (the 68-point box reaches the chin, below the mouth).

    Args:
        five_points (np.ndarray): Landmarks in shape (5, 2).
        side_factor (float): Box side over the 5-point box side.
        down_shift (float): Downward shift of the centre, in 5-point box
            sides.

    Returns:
        tuple: ``center`` (2,) and ``side`` (float) in pixels.
    """
    pts = np.asarray(five_points, dtype=np.float64).reshape(-1, 2)
    low, high = pts.min(axis=0), pts.max(axis=0)
    side5 = float((high - low).max())
    center = (low + high) / 2.0 + np.array([0.0, down_shift * side5])
    return center, side_factor * side5


def square_box(box_xyxy: Sequence[float]) -> Tuple[np.ndarray, float]:
    """Square of side ``max(w, h)`` centred on a given box."""
    x1, y1, x2, y2 = (float(v) for v in box_xyxy)
    return np.array([(x1 + x2) / 2, (y1 + y2) / 2]), max(x2 - x1, y2 - y1)


class FaceCocoBuilder:
    """Accumulates faces into a COCO-style face json dict.

    Args:
        num_keypoints (int): K, the landmark count of every annotation
            (unlabeled faces get K zero keypoints with visibility 0).
        description (str): Free text stored in ``info``.
    """

    def __init__(self, num_keypoints: int, description: str = '') -> None:
        self.num_keypoints = int(num_keypoints)
        self.images: List[dict] = []
        self.annotations: List[dict] = []
        self._image_ids: Dict[str, int] = {}
        self.description = description

    def add_image(self,
                  file_name: str,
                  width: Optional[int],
                  height: Optional[int],
                  key: Optional[str] = None,
                  **extra) -> int:
        """Add an image once; return its id.

        Args:
            file_name (str): Path relative to the image prefix.
            width (int, optional): Image width in pixels.
            height (int, optional): Image height in pixels.
            key (str, optional): Identity of the image when several images
                share a file (frames of one video); default ``file_name``.
            **extra: More keys for the image entry (``frame_idx``...).
        """
        key = file_name if key is None else key
        if key in self._image_ids:
            return self._image_ids[key]
        image_id = len(self.images)
        image = dict(id=image_id, file_name=file_name, width=width,
                     height=height)
        image.update(extra)
        self.images.append(image)
        self._image_ids[key] = image_id
        return image_id

    def add_face(self,
                 image_id: int,
                 center: np.ndarray,
                 side: float,
                 keypoints: Optional[np.ndarray] = None,
                 subsets: Sequence[str] = (),
                 **extra) -> dict:
        """Add one face.

        Args:
            image_id (int): Id from :meth:`add_image`.
            center (np.ndarray): Box centre (2,) in pixels.
            side (float): Side of the square box in pixels (> 0).
            keypoints (np.ndarray, optional): Landmarks (K, 2), 0-based
                pixels. ``None`` for an unlabeled face.
            subsets (Sequence[str]): Every subset the face belongs to.
            **extra: More keys for the annotation (``video_id``,
                ``frame_idx``, ``box_size``...).

        Returns:
            dict: The annotation.
        """
        k = self.num_keypoints
        if keypoints is None:
            kpts3 = np.zeros((k, 3))
            labeled = False
            area = side * side
        else:
            kpts = np.asarray(keypoints, dtype=np.float64).reshape(-1, 2)
            if kpts.shape[0] != k:
                raise ValueError(f'expected {k} keypoints, got {kpts.shape}')
            kpts3 = np.concatenate([kpts, np.ones((k, 1))], axis=1)
            labeled = True
            span = kpts.max(axis=0) - kpts.min(axis=0)
            area = float(span[0] * span[1])
        cx, cy = (float(v) for v in center)
        ann = dict(
            id=len(self.annotations),
            image_id=int(image_id),
            category_id=1,
            keypoints=[round(float(v), 4) for v in kpts3.reshape(-1)],
            num_keypoints=k if labeled else 0,
            center=[cx, cy],
            scale=float(side) / PIXEL_STD,
            bbox=[cx - side / 2, cy - side / 2, float(side), float(side)],
            area=area,
            iscrowd=0,
            subsets=list(subsets),
            labeled=labeled)
        ann.update(extra)
        self.annotations.append(ann)
        return ann

    def to_dict(self) -> dict:
        """The json-ready dict (``info``, ``images``, ``annotations``,
        ``categories``)."""
        return dict(
            info=dict(
                description=self.description,
                keypoints='0-based pixel coordinates (x, y, visible); '
                '.pts values minus 1'),
            images=self.images,
            annotations=self.annotations,
            categories=[
                dict(
                    supercategory='face',
                    id=1,
                    name='face',
                    keypoints=[],
                    skeleton=[])
            ])


def write_coco_json(coco: dict, path: str) -> str:
    """Write a COCO-style dict as json (creating the folder); return the
    path."""
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, 'w') as f:
        json.dump(coco, f)
    return path
