"""Write synthetic faces in the official raw layouts of the face datasets.

* 300W: ``afw/``, ``helen/{trainset,testset}/``, ``lfpw/{trainset,testset}/``,
  ``ibug/``; every image beside a ``.pts`` file (``version: 1``,
  ``n_points:  68``, ``{``, 68 lines ``x y`` in 1-based pixels, ``}``).
  lfpw images are ``.png``, the others ``.jpg``; every fifth image,
  starting with the second, is single-channel grayscale;
  the first ibug file name contains a space, as ``image_092 _01.jpg`` does.
* WFLW: ``WFLW_images/<event>/<name>.jpg`` and
  ``WFLW_annotations/list_98pt_rect_attr_train_test/
  list_98pt_rect_attr_{train,test}.txt``, one face per line: 196 numbers
  (x0 y0 ... x97 y97, 0-based pixels), the box x_min y_min x_max y_max, six
  0/1 flags (pose, expression, illumination, make-up, occlusion, blur) and
  the image path relative to ``WFLW_images/``. The 98 points come from the
  68 (see ``landmark_schemes``).
* CelebA: ``img_celeba/`` (or ``img_align_celeba/`` with ``aligned=True``:
  178x218 crops with the eyes at fixed places), ``list_landmarks_celeba.txt``
  (or ``list_landmarks_align_celeba.txt``), ``list_bbox_celeba.txt``,
  ``list_eval_partition.txt``; integer pixels as in the originals.
* 300VW: ``<video id>/vid.avi`` (Motion-JPEG) and ``<video id>/annot/
  000001.pts`` ... one file per frame (1-based coordinates, CRLF line ends
  and ``n_points: 68`` as in the original files).

Each writer draws its faces from a :class:`SyntheticFaceGenerator` seeded by
``(seed, layout)``, so the same call writes the same files, and returns one
record per written face (or video) with the ground truth.
"""
import numbers
from pathlib import Path
from typing import Callable, Dict, List, Optional, Sequence, Union

import cv2
import numpy as np

from .generator import SyntheticFaceGenerator
from .landmark_schemes import landmarks_68_to_5, landmarks_68_to_98

PathLike = Union[str, Path]
Progress = Optional[Callable[[int], None]]

LAYOUT_SALT = {'300w': 300, 'wflw': 98, 'celeba': 5, '300vw': 3000}
SUBSETS_300W = ('afw', 'helen/trainset', 'helen/testset', 'lfpw/trainset',
                'lfpw/testset', 'ibug')
WFLW_ATTRIBUTES = ('pose', 'expression', 'illumination', 'makeup',
                   'occlusion', 'blur')
WFLW_EVENTS = ('0--Parade', '1--Handshaking', '12--Group', '20--Family_Group',
               '37--Soccer', '51--Dresses')
WFLW_LIST_DIR = 'WFLW_annotations/list_98pt_rect_attr_train_test'
CELEBA_LANDMARK_HEADER = ('lefteye_x lefteye_y righteye_x righteye_y nose_x '
                          'nose_y leftmouth_x leftmouth_y rightmouth_x '
                          'rightmouth_y')
CELEBA_ALIGNED_SIZE = (178, 218)  # width, height
CELEBA_ALIGNED_EYES = ((69.0, 111.0), (108.0, 111.0))


def layout_generator(seed: int, layout: str, image_size: int = 256,
                     **kwargs) -> SyntheticFaceGenerator:
    """A generator whose stream depends on both ``seed`` and ``layout``."""
    if layout not in LAYOUT_SALT:
        raise ValueError(f'unknown layout {layout!r}, expected one of '
                         f'{sorted(LAYOUT_SALT)}')
    state = np.random.SeedSequence([int(seed), LAYOUT_SALT[layout]])
    return SyntheticFaceGenerator(
        int(state.generate_state(1)[0]), image_size=image_size, **kwargs)


def format_pts(landmarks: np.ndarray, n_points_sep: str = '  ',
               newline: str = '\n') -> str:
    """Text of a .pts file from 0-based (K, 2) points (written 1-based)."""
    pts = np.asarray(landmarks, dtype=np.float64) + 1.0
    lines = ['version: 1', f'n_points:{n_points_sep}{len(pts)}', '{']
    lines += [f'{x:.3f} {y:.3f}' for x, y in pts]
    lines.append('}')
    return newline.join(lines) + newline


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, 'w', newline='') as f:
        f.write(text)


def _write_image(path: Path, image: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ok, buf = cv2.imencode(path.suffix, image,
                           [cv2.IMWRITE_JPEG_QUALITY, 95]
                           if path.suffix == '.jpg' else [])
    if not ok:
        raise IOError(f'could not encode image for {path}')
    buf.tofile(str(path))


def _expand_box(lo: np.ndarray, hi: np.ndarray, ratio: float,
                width: int, height: int) -> np.ndarray:
    """Grow an xyxy box by ``ratio`` of its size per side, clip, round."""
    pad = (hi - lo) * ratio
    lo = np.clip(np.floor(lo - pad), 0, [width - 1, height - 1])
    hi = np.clip(np.ceil(hi + pad), 0, [width - 1, height - 1])
    return np.concatenate([lo, hi]).astype(np.int64)


def _300w_name(subset: str, k: int) -> str:
    if subset == 'afw':
        return f'{1004000000 + 7919 * k}_1.jpg'
    if subset.startswith('helen'):
        return f'{100032540 + 1013 * k}_1.jpg'
    if subset.startswith('lfpw'):
        return f'image_{k + 1:04d}.png'
    if k == 0:
        return 'image_001 _01.jpg'
    return f'image_{k + 1:03d}_1.jpg'


def write_300w(root: PathLike, num_per_subset: int = 2, seed: int = 0,
               image_size: int = 256, progress: Progress = None,
               **generator_kwargs) -> List[Dict]:
    """Write a 300W-layout set: six subsets of image + ``.pts`` pairs.

    Args:
        root (str | Path): output folder (the 300W root).
        num_per_subset (int): faces in each of the six subsets.
        seed (int): random seed.
        image_size (int): image side in pixels.
        progress (callable, optional): called with 1 after each face.
        **generator_kwargs: passed to :class:`SyntheticFaceGenerator`.

    Returns:
        list[dict]: per face ``image`` and ``pts`` (paths relative to
        ``root``), ``subset``, ``grayscale``, ``landmarks`` (68, 2) 0-based.
    """
    root = Path(root)
    gen = layout_generator(seed, '300w', image_size, **generator_kwargs)
    records, index = [], 0
    for subset in SUBSETS_300W:
        for k in range(num_per_subset):
            image, landmarks, _ = gen.sample()
            gray = index % 5 == 1
            if gray:
                image = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
            rel = Path(subset) / _300w_name(subset, k)
            _write_image(root / rel, image)
            pts_rel = rel.with_suffix('.pts')
            _write_text(root / pts_rel, format_pts(landmarks))
            records.append(dict(image=rel.as_posix(), pts=pts_rel.as_posix(),
                                subset=subset, grayscale=gray,
                                landmarks=landmarks))
            index += 1
            if progress:
                progress(1)
    return records


def write_wflw(root: PathLike, num_per_split: int = 2, seed: int = 0,
               image_size: int = 256, progress: Progress = None,
               **generator_kwargs) -> List[Dict]:
    """Write a WFLW-layout set (train and test lists, 98 points).

    Args:
        root (str | Path): output folder (holding ``WFLW_images/`` and
            ``WFLW_annotations/``).
        num_per_split (int): faces in each of train and test.
        seed (int): random seed.
        image_size (int): image side in pixels.
        progress (callable, optional): called with 1 after each face.
        **generator_kwargs: passed to :class:`SyntheticFaceGenerator`.

    Returns:
        list[dict]: per face ``image`` (relative to ``WFLW_images/``),
        ``split``, ``landmarks98`` (98, 2), ``landmarks`` (68, 2), ``box``
        (4,) int xyxy, ``attributes`` (6,) int in the file's order.
    """
    root = Path(root)
    gen = layout_generator(seed, 'wflw', image_size, **generator_kwargs)
    records = []
    for split in ('train', 'test'):
        lines = []
        for k in range(num_per_split):
            image, landmarks, meta = gen.sample()
            pts98 = landmarks_68_to_98(landmarks, meta['pupils'],
                                       meta['brow_lower'])
            event = WFLW_EVENTS[k % len(WFLW_EVENTS)]
            eid, name = event.split('--')
            rel = (f'{event}/{eid}_{name}_{name.lower()}_{eid}_'
                   f'{k + (0 if split == "train" else 500)}.jpg')
            _write_image(root / 'WFLW_images' / rel, image)
            box = _expand_box(pts98.min(0), pts98.max(0), 0.05, image_size,
                              image_size)
            attrs = np.array([int(meta['attributes'][a])
                              for a in WFLW_ATTRIBUTES])
            fields = [f'{v:.6f}' for v in pts98.reshape(-1)]
            fields += [str(v) for v in box] + [str(v) for v in attrs] + [rel]
            lines.append(' '.join(fields))
            records.append(dict(image=rel, split=split, landmarks98=pts98,
                                landmarks=landmarks, box=box,
                                attributes=attrs))
            if progress:
                progress(1)
        _write_text(root / WFLW_LIST_DIR / f'list_98pt_rect_attr_{split}.txt',
                    '\n'.join(lines) + '\n')
    return records


def _align_celeba(pupils: np.ndarray) -> np.ndarray:
    """Similarity transform (2, 3) putting the pupils at the aligned spots."""
    src = np.asarray(pupils, dtype=np.float64)
    dst = np.asarray(CELEBA_ALIGNED_EYES, dtype=np.float64)
    sv, dv = src[1] - src[0], dst[1] - dst[0]
    scale = np.linalg.norm(dv) / max(np.linalg.norm(sv), 1e-6)
    ang = np.arctan2(dv[1], dv[0]) - np.arctan2(sv[1], sv[0])
    rot = scale * np.array([[np.cos(ang), -np.sin(ang)],
                            [np.sin(ang), np.cos(ang)]])
    t = dst[0] - rot @ src[0]
    return np.concatenate([rot, t[:, None]], axis=1)


def _celeba_partition(n: int) -> List[int]:
    """CelebA-like contiguous split: ~80% train (0), 10% val (1), 10% test."""
    n_test = max(1, round(0.1 * n)) if n >= 3 else 0
    n_val = max(1, round(0.1 * n)) if n >= 3 else 0
    return [0] * (n - n_val - n_test) + [1] * n_val + [2] * n_test


def write_celeba(root: PathLike, num_images: int = 6, seed: int = 0,
                 image_size: int = 256, aligned: bool = False,
                 progress: Progress = None,
                 **generator_kwargs) -> List[Dict]:
    """Write a CelebA-layout set (images, 5-point list, boxes, partition).

    Args:
        root (str | Path): output folder (the CelebA root).
        num_images (int): number of images.
        seed (int): random seed.
        image_size (int): side of the in-the-wild images.
        aligned (bool): write ``img_align_celeba/`` 178x218 crops with the
            eyes at fixed places and ``list_landmarks_align_celeba.txt``
            instead of ``img_celeba/`` and ``list_landmarks_celeba.txt``.
        progress (callable, optional): called with 1 after each image.
        **generator_kwargs: passed to :class:`SyntheticFaceGenerator`.

    Returns:
        list[dict]: per image ``image`` (relative to ``root``), ``name``,
        ``partition`` (0 train, 1 val, 2 test), ``landmarks5`` (5, 2) and
        ``landmarks`` (68, 2) float in the written image, ``box`` (4,) int
        x_1 y_1 width height.
    """
    root = Path(root)
    gen = layout_generator(seed, 'celeba', image_size, **generator_kwargs)
    folder = 'img_align_celeba' if aligned else 'img_celeba'
    parts = _celeba_partition(num_images)
    records, lm_rows, box_rows = [], [], []
    for k in range(num_images):
        image, landmarks, meta = gen.sample()
        lm5 = landmarks_68_to_5(landmarks, meta['pupils'])
        corners = meta['face_box'].reshape(2, 2)
        corners = np.array([corners[0], [corners[1, 0], corners[0, 1]],
                            corners[1], [corners[0, 0], corners[1, 1]]])
        width, height = image.shape[1], image.shape[0]
        if aligned:
            mat = _align_celeba(meta['pupils'])
            width, height = CELEBA_ALIGNED_SIZE
            image = cv2.warpAffine(image, mat, (width, height),
                                   flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)
            landmarks = (landmarks @ mat[:, :2].T + mat[:, 2]).astype(
                np.float32)
            lm5 = (lm5 @ mat[:, :2].T + mat[:, 2]).astype(np.float32)
            corners = corners @ mat[:, :2].T + mat[:, 2]
        xyxy = _expand_box(corners.min(0), corners.max(0), 0.1, width, height)
        box = np.array([xyxy[0], xyxy[1], xyxy[2] - xyxy[0] + 1,
                        xyxy[3] - xyxy[1] + 1])
        name = f'{k + 1:06d}.jpg'
        _write_image(root / folder / name, image)
        ints = np.round(lm5).astype(np.int64).reshape(-1)
        lm_rows.append(name + ' ' + ' '.join(f'{v:4d}' for v in ints))
        box_rows.append(name + ' ' + ' '.join(f'{v:4d}' for v in box))
        records.append(dict(image=f'{folder}/{name}', name=name,
                            partition=parts[k], landmarks5=lm5,
                            landmarks=landmarks, box=box))
        if progress:
            progress(1)
    lm_file = ('list_landmarks_align_celeba.txt'
               if aligned else 'list_landmarks_celeba.txt')
    _write_text(root / lm_file, '\n'.join(
        [str(num_images), CELEBA_LANDMARK_HEADER] + lm_rows) + '\n')
    _write_text(root / 'list_bbox_celeba.txt', '\n'.join(
        [str(num_images), 'image_id x_1 y_1 width height'] + box_rows) +
                '\n')
    _write_text(root / 'list_eval_partition.txt', ''.join(
        f'{r["name"]} {r["partition"]}\n' for r in records))
    return records


def write_300vw(root: PathLike, num_videos: int = 2,
                frames_per_video: Union[int, Sequence[int]] = 30,
                seed: int = 0, image_size: int = 256, fps: float = 25.0,
                video_ids: Optional[Sequence[str]] = None,
                progress: Progress = None,
                **generator_kwargs) -> List[Dict]:
    """Write a 300VW-layout set: ``<id>/vid.avi`` and ``<id>/annot/*.pts``.

    Args:
        root (str | Path): output folder (the 300VW root).
        num_videos (int): number of videos.
        frames_per_video (int | Sequence[int]): frames of every video, or
            one count per video (1-frame videos are allowed).
        seed (int): random seed.
        image_size (int): frame side in pixels.
        fps (float): frame rate written into the video and used for the
            speed of the motion.
        video_ids (Sequence[str], optional): folder names; default
            ``001``, ``002``, ...
        progress (callable, optional): called with 1 after each frame.
        **generator_kwargs: passed to :class:`SyntheticFaceGenerator`.

    Returns:
        list[dict]: per video ``video_id``, ``video`` (relative path),
        ``num_frames`` and ``landmarks`` (T, 68, 2) 0-based.
    """
    root = Path(root)
    if isinstance(frames_per_video, numbers.Integral):
        counts = [int(frames_per_video)] * num_videos
    else:
        counts = [int(c) for c in frames_per_video]
    ids = list(video_ids) if video_ids is not None else [
        f'{i + 1:03d}' for i in range(num_videos)
    ]
    if len(counts) != num_videos or len(ids) != num_videos:
        raise ValueError(f'write_300vw: need {num_videos} frame counts and '
                         f'video ids, got {len(counts)} and {len(ids)}')
    gen = layout_generator(seed, '300vw', image_size, **generator_kwargs)
    records = []
    for vid, count in zip(ids, counts):
        frames = gen.sample_video(count, fps=fps)
        path = root / vid / 'vid.avi'
        path.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'),
                                 fps, (image_size, image_size))
        if not writer.isOpened():
            raise IOError(f'OpenCV cannot write a Motion-JPEG video to {path}')
        for i, (image, landmarks, _) in enumerate(frames):
            writer.write(image)
            _write_text(root / vid / 'annot' / f'{i + 1:06d}.pts',
                        format_pts(landmarks, ' ', '\r\n'))
            if progress:
                progress(1)
        writer.release()
        records.append(dict(video_id=vid, video=f'{vid}/vid.avi',
                            num_frames=count,
                            landmarks=np.stack([f[1] for f in frames])))
    return records
