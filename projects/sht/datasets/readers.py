"""Readers for the official face annotation formats.

Every reader checks its input (with :mod:`sht.datasets.validation`: every
number finite) and raises :class:`FaceDataError` naming the file, the line
and what was expected. Coordinates are returned as 0-based
pixel coordinates:

- ``.pts`` files (300W, 300VW) use 1-based pixel coordinates (the iBUG
  convention, Matlab indexing): :func:`read_pts` subtracts 1.
- WFLW, CelebA and YouTube Faces lists are used as they are (their values are
  already pixel positions measured from 0).
"""
import os.path as osp
from typing import Dict, List, NamedTuple, Optional, Tuple

import cv2
import numpy as np

from .errors import FaceDataError
from .validation import parse_floats

#: Face attributes of WFLW in the order of the six flags of a list line.
WFLW_ATTRIBUTES = ('pose', 'expression', 'illumination', 'makeup',
                   'occlusion', 'blur')
WFLW_NUM_POINTS = 98
#: 196 coordinates + 4 box values + 6 attribute flags + the image path.
WFLW_NUM_FIELDS = 2 * WFLW_NUM_POINTS + 4 + len(WFLW_ATTRIBUTES) + 1

CELEBA_LANDMARK_NAMES = ('lefteye', 'righteye', 'nose', 'leftmouth',
                         'rightmouth')
CELEBA_PARTITIONS = {0: 'train', 1: 'val', 2: 'test'}

VIDEO_EXTENSIONS = ('.avi', '.mp4', '.mov', '.mkv', '.webm')


def read_text_lines(path: str) -> List[str]:
    """Lines of a UTF-8 annotation file, with a clear error when missing."""
    if not osp.isfile(path):
        raise FaceDataError(path, 'annotation file not found')
    try:
        with open(path, encoding='utf-8') as f:
            return f.read().splitlines()
    except UnicodeDecodeError as err:
        raise FaceDataError(path, f'not a text file ({err.reason})') from err


def read_pts(path: str, num_points: Optional[int] = 68) -> np.ndarray:
    """Read an iBUG ``.pts`` landmark file (300W, 300VW).

    The format is ``version: 1``, ``n_points: N``, ``{``, N lines ``x y``,
    ``}``, with 1-based pixel coordinates.

    Args:
        path (str): The ``.pts`` file.
        num_points (int, optional): The point count the file must have.
            ``None`` accepts the count of its ``n_points`` header.

    Returns:
        np.ndarray: Landmarks in shape (N, 2), float32, 0-based pixel
        coordinates (the file's values minus 1).
    """
    lines = read_text_lines(path)
    header_n = None
    open_line = None
    for i, text in enumerate(lines, start=1):
        stripped = text.strip()
        if stripped.startswith('n_points'):
            value = stripped.split(':', 1)[-1].strip()
            if not value.isdigit():
                raise FaceDataError(path, f'bad header "{stripped}"',
                                    '"n_points: <count>"', i)
            header_n = int(value)
        elif stripped == '{':
            open_line = i
            break
    if open_line is None:
        raise FaceDataError(path, 'no "{" line', '"{" before the points')
    expected_n = num_points if num_points is not None else header_n
    if header_n is not None and expected_n is not None \
            and header_n != expected_n:
        raise FaceDataError(path, f'header says n_points: {header_n}',
                            f'{expected_n} points')
    points: List[np.ndarray] = []
    close_line = None
    for i in range(open_line, len(lines)):
        stripped = lines[i].strip()
        lineno = i + 1
        if not stripped:
            continue
        if stripped == '}':
            close_line = lineno
            break
        fields = stripped.split()
        if len(fields) != 2:
            raise FaceDataError(
                path, f'broken point line "{stripped}"', 'two numbers "x y"',
                lineno)
        points.append(
            parse_floats(fields, path, lineno, 'two numbers "x y"'))
    if close_line is None:
        raise FaceDataError(path, 'no closing "}"', '"}" after the points')
    if expected_n is not None and len(points) != expected_n:
        raise FaceDataError(path, f'found {len(points)} points',
                            f'{expected_n} lines "x y" between "{{" and "}}"',
                            close_line)
    if not points:
        raise FaceDataError(path, 'no points', 'at least one "x y" line')
    return (np.stack(points) - 1.0).astype(np.float32)


class WFLWRecord(NamedTuple):
    """One face of a WFLW list line (0-based pixel coordinates)."""
    keypoints: np.ndarray  # (98, 2)
    box: np.ndarray  # (4,) x_min y_min x_max y_max
    attributes: Tuple[str, ...]  # names of the attributes flagged 1
    image: str  # path relative to WFLW_images/
    line: int  # 1-based line number in the list file


def parse_wflw_line(text: str, path: str, line: int) -> WFLWRecord:
    """Parse one line of ``list_98pt_rect_attr_{train,test}.txt``.

    Args:
        text (str): The line.
        path (str): The list file (for error messages).
        line (int): 1-based line number (for error messages).

    Returns:
        WFLWRecord: The face on that line.
    """
    expected = (f'{WFLW_NUM_FIELDS} fields: {2 * WFLW_NUM_POINTS} landmark '
                'coordinates, box x_min y_min x_max y_max, '
                f'{len(WFLW_ATTRIBUTES)} attribute flags, image path')
    fields = text.split()
    if len(fields) != WFLW_NUM_FIELDS:
        raise FaceDataError(path, f'found {len(fields)} fields', expected,
                            line)
    values = parse_floats(fields[:-1], path, line, expected)
    keypoints = values[:2 * WFLW_NUM_POINTS].reshape(WFLW_NUM_POINTS, 2)
    box = values[2 * WFLW_NUM_POINTS:2 * WFLW_NUM_POINTS + 4]
    flags = values[2 * WFLW_NUM_POINTS + 4:]
    if not np.all(np.isin(flags, (0, 1))):
        raise FaceDataError(path, f'attribute flags {flags.tolist()}',
                            'six flags that are 0 or 1', line)
    if box[2] <= box[0] or box[3] <= box[1]:
        raise FaceDataError(path, f'box of zero size {box.tolist()}',
                            'x_max > x_min and y_max > y_min', line)
    attributes = tuple(
        name for name, flag in zip(WFLW_ATTRIBUTES, flags) if flag == 1)
    return WFLWRecord(
        keypoints.astype(np.float32), box.astype(np.float32), attributes,
        fields[-1], line)


def _celeba_rows(path: str, header: Tuple[str, ...], num_values: int,
                 counted: bool) -> List[Tuple[int, str, List[str]]]:
    """Rows ``(line, name, values)`` of a CelebA list file."""
    lines = read_text_lines(path)
    start = 0
    declared = None
    if counted:
        if len(lines) < 2:
            raise FaceDataError(path, 'file too short',
                                'a count line, a header line, then rows')
        if not lines[0].strip().isdigit():
            raise FaceDataError(path, f'bad count line "{lines[0].strip()}"',
                                'the number of rows', 1)
        declared = int(lines[0].strip())
        got_header = tuple(lines[1].split())
        if got_header[-len(header):] != header:
            raise FaceDataError(path, f'bad header "{lines[1].strip()}"',
                                '"' + ' '.join(header) + '"', 2)
        start = 2
    rows = []
    expected = f'an image name and {num_values} numbers'
    for i in range(start, len(lines)):
        fields = lines[i].split()
        if not fields:
            continue
        if len(fields) != num_values + 1:
            raise FaceDataError(path, f'found {len(fields)} fields', expected,
                                i + 1)
        rows.append((i + 1, fields[0], fields[1:]))
    if declared is not None and declared != len(rows):
        raise FaceDataError(path, f'count line says {declared} rows but '
                            f'{len(rows)} follow', f'{declared} rows', 1)
    return rows


def read_celeba_landmarks(path: str) -> Dict[str, Tuple[np.ndarray, int]]:
    """Read ``list_landmarks[_align]_celeba.txt``.

    Returns:
        dict: image name -> (landmarks (5, 2) float32, line number).
    """
    out = {}
    for line, name, values in _celeba_rows(
            path, tuple(f'{p}_{a}' for p in CELEBA_LANDMARK_NAMES
                        for a in 'xy'), 10, counted=True):
        pts = parse_floats(values, path, line,
                           'an image name and 10 numbers')
        out[name] = (pts.reshape(5, 2).astype(np.float32), line)
    return out


def read_celeba_bboxes(path: str) -> Dict[str, Tuple[np.ndarray, int]]:
    """Read ``list_bbox_celeba.txt`` (``name x_1 y_1 width height``).

    Returns:
        dict: image name -> (box xyxy (4,) float32, line number).
    """
    out = {}
    for line, name, values in _celeba_rows(
            path, ('x_1', 'y_1', 'width', 'height'), 4, counted=True):
        x, y, w, h = parse_floats(values, path, line,
                                  'an image name and 4 numbers')
        if w <= 0 or h <= 0:
            raise FaceDataError(path, f'box of zero size (width {w:g}, '
                                f'height {h:g})', 'width > 0 and height > 0',
                                line)
        out[name] = (np.array([x, y, x + w, y + h], np.float32), line)
    return out


def read_celeba_partition(path: str) -> Dict[str, str]:
    """Read ``list_eval_partition.txt`` (``name 0|1|2``).

    Returns:
        dict: image name -> ``'train'``, ``'val'`` or ``'test'``.
    """
    out = {}
    for line, name, values in _celeba_rows(path, (), 1, counted=False):
        if values[0] not in ('0', '1', '2'):
            raise FaceDataError(path, f'partition "{values[0]}"',
                                '0 (train), 1 (val) or 2 (test)', line)
        out[name] = CELEBA_PARTITIONS[int(values[0])]
    return out


def read_ytf_boxes(path: str) -> Dict[str, Tuple[np.ndarray, int]]:
    """Read a YouTube Faces ``<person>.labeled_faces.txt`` box list.

    Each line is ``file,_,x,y,width,height,_,_`` where ``(x, y)`` is the face
    center and ``file`` uses ``\\`` separators relative to
    ``frame_images_DB/``.

    Returns:
        dict: frame path (``/`` separators) -> (box xyxy (4,), line number).
    """
    out = {}
    expected = 'file,_,center_x,center_y,width,height[,...]'
    for i, text in enumerate(read_text_lines(path), start=1):
        if not text.strip():
            continue
        fields = [f.strip() for f in text.split(',')]
        if len(fields) < 6:
            raise FaceDataError(path, f'found {len(fields)} fields', expected,
                                i)
        cx, cy, w, h = parse_floats(fields[2:6], path, i, expected)
        if w <= 0 or h <= 0:
            raise FaceDataError(path, f'box of zero size (width {w:g}, '
                                f'height {h:g})', 'width > 0 and height > 0',
                                i)
        box = np.array([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2],
                       np.float32)
        out[fields[0].replace('\\', '/')] = (box, i)
    return out


def read_video_frame(path: str, frame_idx: int) -> np.ndarray:
    """Decode frame ``frame_idx`` (0-based) of a video as a BGR image."""
    if not osp.isfile(path):
        raise FaceDataError(path, 'video not found')
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise FaceDataError(path, 'OpenCV cannot open the video')
        if frame_idx > 0:
            cap.set(cv2.CAP_PROP_POS_FRAMES, int(frame_idx))
        ok, frame = cap.read()
    finally:
        cap.release()
    if not ok or frame is None:
        raise FaceDataError(path, f'cannot decode frame {frame_idx}',
                            'a frame index below the frame count')
    return frame
