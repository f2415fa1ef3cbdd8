"""The checks shared by the converters and the datasets.

Every check raises :class:`FaceDataError` naming the file (and line or
annotation id), what was found and what was expected:

- :func:`parse_floats`: numbers of an annotation line, all finite;
- :func:`load_json`: a json file that exists, is not empty and parses;
- :func:`check_image`: an image that exists and, with ``full=True``, decodes
  completely (a JPEG whose data is corrupt or cut short is refused even
  where the decoder would fill in the missing pixels);
- :func:`check_video`: a video whose reported frame count matches the frames
  that decode (and, for MJPEG, whose every frame is an intact JPEG);
- :func:`require_faces`: an annotation set with at least one face;
- :func:`is_stale`: whether an output is missing or older than its inputs
  (converters rewrite such outputs).
"""
import contextlib
import json
import os
import os.path as osp
import sys
import tempfile
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

from .errors import FaceDataError

#: libjpeg's warnings about damaged data (it decodes such files anyway,
#: filling what it cannot read with gray)
JPEG_DAMAGE_WARNINGS = ('Corrupt JPEG data', 'Premature end of JPEG file')
JPEG_MAGIC = b'\xff\xd8'
JPEG_END = b'\xff\xd9'


def parse_floats(fields: Sequence[str],
                 path: str,
                 line: Optional[int],
                 expected: str) -> np.ndarray:
    """The numbers of an annotation line, refusing ``nan`` and ``inf``.

    Args:
        fields (Sequence[str]): The text fields.
        path (str): The annotation file (for the message).
        line (int, optional): 1-based line number (for the message).
        expected (str): What the line should hold (for the message).

    Returns:
        np.ndarray: The values, float64.
    """
    try:
        values = np.array([float(v) for v in fields], dtype=np.float64)
    except ValueError as err:
        raise FaceDataError(path, f'non-numeric value ({err})', expected,
                            line) from err
    bad = ~np.isfinite(values)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise FaceDataError(
            path, f'non-finite value "{fields[first]}" (field {first + 1} '
            f'of {len(fields)})', expected + ', all finite', line)
    return values


def require_finite_keypoints(keypoints: np.ndarray, path: str,
                             where: str) -> None:
    """Refuse landmarks with a NaN or inf coordinate.

    Args:
        keypoints (np.ndarray): (K, 2) or (K, 3) values.
        path (str): The annotation file.
        where (str): The annotation, e.g. ``'annotation 3 (a.jpg)'``.
    """
    finite = np.isfinite(np.asarray(keypoints, dtype=np.float64))
    if not finite.all():
        index = int(np.flatnonzero(~finite.all(axis=-1))[0])
        raise FaceDataError(path, f'{where}: keypoint {index} is '
                            f'{np.asarray(keypoints)[index].tolist()}',
                            'finite landmark coordinates')


def load_json(path: str) -> object:
    """Load a json file, naming it when it is missing, empty or broken."""
    if not osp.isfile(path):
        raise FaceDataError(path, 'annotation file not found')
    with open(path, 'rb') as f:
        data = f.read()
    if not data.strip():
        raise FaceDataError(path, 'empty file', 'a json document')
    try:
        return json.loads(data)
    except (UnicodeDecodeError, ValueError) as err:
        raise FaceDataError(path, f'not valid json ({err})',
                            'a json document') from err


@contextlib.contextmanager
def captured_stderr(output: List[str]) -> Iterator[None]:
    """Collect what native code writes to the stderr file descriptor.

    libjpeg reports damaged data only as a warning on stderr; this is how
    :func:`check_image` sees it. The text is appended to ``output``.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            output.append(tmp.read().decode('utf-8', errors='replace'))


def jpeg_damage(data: bytes) -> Optional[str]:
    """Why the JPEG ``data`` does not decode completely, or ``None``.

    The entropy-coded data is decoded in full (at 1/8 scale, which still
    reads every coefficient), so corrupt or missing data is found.
    """
    buffer = np.frombuffer(data, dtype=np.uint8)
    messages: List[str] = []
    with captured_stderr(messages):
        decoded = cv2.imdecode(buffer, cv2.IMREAD_REDUCED_GRAYSCALE_8)
    text = messages[0].strip()
    if decoded is None:
        if not data.rstrip(b'\0').endswith(JPEG_END):
            return ('truncated JPEG data (it stops before the end-of-image '
                    'marker)')
        return 'the JPEG data does not decode'
    damage = [ln for ln in text.splitlines()
              if ln.startswith(JPEG_DAMAGE_WARNINGS)]
    if damage:
        return 'damaged JPEG data: ' + '; '.join(damage)
    if text:  # unrelated output of the same moment: pass it on
        print(text, file=sys.stderr)
    return None


#: (path, size, mtime) -> (width, height) of images decoded in full by this
#: process (several datasets of one run share their images)
_DECODED: Dict[Tuple[str, int, int], Tuple[int, int]] = {}


def check_image(path: str, full: bool = True) -> Tuple[int, int]:
    """Check that an image exists and decodes; return (width, height).

    Args:
        path (str): The image.
        full (bool): Decode all of it (default; an unchanged file is decoded
            once per process). ``False`` reads the header only.
    """
    if not osp.isfile(path):
        raise FaceDataError(path, 'image not found')
    info = os.stat(path)
    key = (osp.abspath(path), info.st_size, info.st_mtime_ns)
    if full and key in _DECODED:
        return _DECODED[key]
    expected = 'a complete JPEG/PNG/BMP image'
    try:
        with Image.open(path) as img:
            width, height = img.size
            if full and img.format != 'JPEG':
                img.load()
    except Exception as err:  # PIL raises several types for broken files
        raise FaceDataError(path, f'unreadable image ({err})',
                            expected) from err
    if full:
        with open(path, 'rb') as f:
            data = f.read()
        if data.startswith(JPEG_MAGIC):
            damage = jpeg_damage(data)
            if damage is not None:
                raise FaceDataError(path, damage, expected)
        _DECODED[key] = (int(width), int(height))
    return int(width), int(height)


def _fourcc(cap: cv2.VideoCapture) -> str:
    code = int(cap.get(cv2.CAP_PROP_FOURCC))
    return ''.join(chr((code >> 8 * i) & 0xFF) for i in range(4))


def _count_frames(path: str, cap: cv2.VideoCapture, reported: int) -> int:
    """Frames of an open video that decode (MJPEG: every frame's JPEG is
    checked in full)."""
    raw = _fourcc(cap).upper() == 'MJPG' and cap.set(cv2.CAP_PROP_FORMAT, -1)
    count = 0
    while count <= reported:
        ok, frame = cap.read()
        if not ok or frame is None:
            break
        if raw:
            damage = jpeg_damage(frame.tobytes())
            if damage is not None:
                raise FaceDataError(path, f'frame {count}: {damage}',
                                    'frames that decode completely')
        count += 1
    return count


def check_video(path: str, full: bool = True) -> Tuple[int, int, int]:
    """Check that a video opens (and, ``full``, that all its frames decode);
    return (width, height, frame count)."""
    if not osp.isfile(path):
        raise FaceDataError(path, 'video not found')
    cap = cv2.VideoCapture(path)
    try:
        if not cap.isOpened():
            raise FaceDataError(path, 'OpenCV cannot open the video',
                                'a video file readable by OpenCV')
        width = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        frames = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if width <= 0 or height <= 0 or frames <= 0:
            raise FaceDataError(path, f'video reports {frames} frames of '
                                f'size {width}x{height}', 'at least one frame')
        if full:
            decoded = _count_frames(path, cap, frames)
            if decoded != frames:
                raise FaceDataError(
                    path, f'the video reports {frames} frames but '
                    f'{decoded} decode (truncated or damaged file?)',
                    'as many decodable frames as reported')
    finally:
        cap.release()
    return width, height, frames


def require_faces(num_faces: int,
                  source: str,
                  num_skipped: int = 0,
                  expected: str = 'at least one face') -> None:
    """Refuse an empty annotation set (``num_skipped`` of its faces were
    skipped as invalid)."""
    if num_faces > 0:
        return
    problem = 'no faces'
    if num_skipped:
        problem += f' left ({num_skipped} skipped as invalid)'
    raise FaceDataError(source, problem, expected)


def is_stale(output: str, inputs: Sequence[str]) -> bool:
    """Whether ``output`` is missing or older than any of ``inputs``.

    An input counts as changed when its content (mtime) or its directory
    entry (ctime: a file moved or copied into place with its old mtime)
    is newer than the output.
    """
    if not osp.isfile(output):
        return True
    made = os.stat(output).st_mtime_ns
    for path in inputs:
        if osp.exists(path):
            info = os.stat(path)
            if max(info.st_mtime_ns, info.st_ctime_ns) > made:
                return True
    return False
