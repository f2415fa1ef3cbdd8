"""Helpers shared by the raw-layout readers."""
import os
import os.path as osp
import re
from typing import Iterable, List, Optional, Tuple, TypeVar

from tqdm import tqdm

from ..errors import FaceDataError
from ..validation import check_image

IMAGE_EXTENSIONS = ('.jpg', '.png', '.jpeg', '.bmp', '.JPG', '.PNG', '.JPEG',
                    '.BMP')

T = TypeVar('T')


def progress(items: Iterable[T],
             enabled: bool,
             desc: str,
             total: Optional[int] = None,
             unit: str = 'face') -> Iterable[T]:
    """Wrap ``items`` in a tqdm progress bar when ``enabled``."""
    if not enabled:
        return items
    return tqdm(items, desc=desc, total=total, unit=unit, leave=False)


def natural_key(name: str) -> List[object]:
    """Sort key that orders ``frame2`` before ``frame10``."""
    return [int(p) if p.isdigit() else p.lower()
            for p in re.split(r'(\d+)', name)]


def relpath(path: str, root: str) -> str:
    """``path`` relative to ``root`` with ``/`` separators (json file
    names)."""
    return osp.relpath(path, root).replace(os.sep, '/')


def image_beside(annotation_path: str) -> str:
    """The image with the same stem as an annotation file (``x.pts`` ->
    ``x.jpg`` or ``x.png`` ...)."""
    stem = osp.splitext(annotation_path)[0]
    for ext in IMAGE_EXTENSIONS:
        if osp.isfile(stem + ext):
            return stem + ext
    raise FaceDataError(
        annotation_path, 'no image beside this annotation',
        f'{osp.basename(stem)}.jpg or .png in the same folder')


def image_size(path: str,
               check_images: bool,
               need_size: bool = False) -> Tuple[Optional[int], Optional[int]]:
    """(width, height) of an image, decoding all of it when
    ``check_images``; otherwise its header is read when ``need_size``, or
    only its existence is checked and ``(None, None)`` is returned."""
    if check_images or need_size:
        return check_image(path, full=check_images)
    if not osp.isfile(path):
        raise FaceDataError(path, 'image not found')
    return None, None


def require_dir(path: str, layout: str) -> str:
    """Raise a clear error when a folder of a raw layout is missing."""
    if not osp.isdir(path):
        raise FaceDataError(path, 'folder not found', layout)
    return path
