"""Tiny face datasets in every raw layout, written by the tests themselves.

``build_300w``, ``build_wflw``, ``build_celeba``, ``build_300vw`` and
``build_ytf`` write every raw layout the dataset readers parse, with the
expected keypoints, boxes and subsets (the reader tests). The fixture sets
of the config, engine and evaluation tests are in
:mod:`helpers.fixture_sets`.

Images of the raw-layout builders are tiny (about 100 px) textured noise so that warps can be compared
pixel-wise; landmarks are random points inside a face box. Each builder
returns what it wrote (expected keypoints, boxes, subsets) so the tests
compare the readers against values they did not compute themselves.
"""

import json
import logging
import os
import os.path as osp
from typing import Dict, List, Tuple

import cv2
import numpy as np
import sht  # noqa: F401  (registers the datasets)
from mmengine.logging import MMLogger

from helpers import REPO_ROOT, load_tool  # noqa: F401  (re-exported)

RNG_SEED = 1234


def textured_image(height: int, width: int, seed: int,
                   gray: bool = False) -> np.ndarray:
    """Smooth random texture (blurred noise), uint8 BGR or gray."""
    rng = np.random.default_rng(seed)
    img = rng.uniform(0, 255, (height, width, 3)).astype(np.float32)
    img = cv2.GaussianBlur(img, (0, 0), 2.0)
    img = cv2.normalize(img, None, 0, 255, cv2.NORM_MINMAX).astype(np.uint8)
    if gray:
        return cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    return img


def random_landmarks(num: int, box: Tuple[float, float, float, float],
                     seed: int) -> np.ndarray:
    """``num`` points uniformly inside ``box`` (x1, y1, x2, y2), with the
    extreme points on the box sides (so the landmark box is ``box``)."""
    rng = np.random.default_rng(seed)
    x1, y1, x2, y2 = box
    pts = np.stack([rng.uniform(x1, x2, num), rng.uniform(y1, y2, num)], 1)
    pts[0] = (x1, (y1 + y2) / 2)
    pts[1] = (x2, (y1 + y2) / 2)
    pts[2] = ((x1 + x2) / 2, y1)
    pts[3] = ((x1 + x2) / 2, y2)
    return np.round(pts, 3)


def write_pts(path: str, keypoints_0based: np.ndarray) -> None:
    """Write an iBUG .pts (1-based coordinates)."""
    lines = ['version: 1', f'n_points: {len(keypoints_0based)}', '{']
    lines += [f'{x + 1:.3f} {y + 1:.3f}' for x, y in keypoints_0based]
    lines.append('}')
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + '\n')


def replace_line(path: str, index: int, text) -> None:
    """Rewrite line ``index`` (0-based) of the text file ``path``: with
    ``text`` itself, or with ``text(old_line)`` where it is callable."""
    with open(path) as f:
        lines = f.read().splitlines()
    lines[index] = text(lines[index]) if callable(text) else text
    with open(path, 'w') as f:
        f.write('\n'.join(lines) + ('\n' if lines else ''))


def write_image(path: str, img: np.ndarray) -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    assert cv2.imwrite(path, img), path


# --------------------------------------------------------------------- 300W
FACE300W_FILES = [
    # (folder, file name, gray, expected subsets)
    ('afw', '1051618982_1.jpg', False, ('train', )),
    ('helen/trainset', '100032540_1.jpg', False, ('train', )),
    ('lfpw/trainset', 'image_0001.png', False, ('train', )),
    ('helen/testset', '2968560214_1.jpg', False, ('common', 'full')),
    ('lfpw/testset', 'image_0002.png', True, ('common', 'full')),
    ('ibug', 'image_003_1.jpg', True, ('challenging', 'full')),
    ('ibug', 'image_092 _01.jpg', False, ('challenging', 'full')),
    ('300W/01_Indoor', 'indoor_001.png', False, ('test', 'indoor')),
    ('300W/02_Outdoor', 'outdoor_001.png', True, ('test', 'outdoor')),
]


def build_300w(root: str) -> Dict[str, dict]:
    """Write the 300W layout; return {relative image path: expectation}."""
    expected = {}
    for i, (folder, name, gray, subsets) in enumerate(FACE300W_FILES):
        h, w = 90 + 4 * i, 110 + 2 * i
        box = (20.0 + i, 15.0, 80.0 + i, 70.0 + i)
        kpts = random_landmarks(68, box, seed=i)
        img_path = osp.join(root, folder, name)
        write_image(img_path, textured_image(h, w, seed=i, gray=gray))
        write_pts(osp.splitext(img_path)[0] + '.pts', kpts)
        expected[f'{folder}/{name}'] = dict(
            keypoints=kpts, subsets=subsets, size=(w, h), box=box)
    return expected


# --------------------------------------------------------------------- WFLW
WFLW_FACES = [
    # (split, image, attribute flags, landmark box)
    ('train', '0--Parade/0_Parade_1.jpg', (0, 0, 0, 0, 0, 0),
     (10, 10, 60, 60)),
    ('train', '0--Parade/0_Parade_1.jpg', (1, 0, 0, 0, 1, 0),
     (60, 20, 95, 70)),
    ('train', '1--Handshaking/1_Hand_2.png', (0, 1, 0, 0, 0, 0),
     (15, 12, 70, 80)),
    ('test', '2--Demo/2_Demo_3.jpg', (1, 0, 0, 0, 0, 1), (12, 14, 66, 70)),
    ('test', '2--Demo/2_Demo_4.jpg', (0, 0, 1, 1, 0, 0), (20, 10, 80, 75)),
    ('test', '3--Riot/3_Riot_5.jpg', (0, 0, 0, 0, 1, 0), (5, 5, 50, 60)),
]
WFLW_ATTRS = ('pose', 'expression', 'illumination', 'makeup', 'occlusion',
              'blur')


def wflw_line(kpts: np.ndarray, rect, flags, image: str) -> str:
    values = [f'{v:.6f}' for v in kpts.reshape(-1)]
    values += [str(int(v)) for v in rect] + [str(f) for f in flags]
    return ' '.join(values + [image])


def wflw_list_file(root: str, split: str) -> str:
    """The WFLW list file of ``split`` ('train' or 'test') below ``root``."""
    return osp.join(root, 'WFLW_annotations', 'list_98pt_rect_attr_train_test',
                    f'list_98pt_rect_attr_{split}.txt')


def build_wflw(root: str) -> List[dict]:
    """Write WFLW_annotations/... lists and WFLW_images/; return faces."""
    os.makedirs(osp.dirname(wflw_list_file(root, 'train')), exist_ok=True)
    lines = {'train': [], 'test': []}
    faces = []
    for i, (split, image, flags, box) in enumerate(WFLW_FACES):
        kpts = random_landmarks(98, box, seed=100 + i)
        img_path = osp.join(root, 'WFLW_images', image)
        if not osp.isfile(img_path):
            write_image(img_path, textured_image(100, 110, seed=100 + i))
        rect = (box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3)
        lines[split].append(wflw_line(kpts, rect, flags, image))
        subsets = (split, ) + tuple(
            a for a, f in zip(WFLW_ATTRS, flags) if f)
        faces.append(dict(image=image, keypoints=kpts, subsets=subsets,
                          split=split, box=box))
    for split, rows in lines.items():
        with open(wflw_list_file(root, split), 'w') as f:
            f.write('\n'.join(rows) + '\n')
    return faces


# ------------------------------------------------------------------- CelebA
CELEBA_IMAGES = ['000001.jpg', '000002.jpg', '000003.jpg', '000004.jpg',
                 '000005.jpg']
CELEBA_PARTITION = {'000001.jpg': 0, '000002.jpg': 0, '000003.jpg': 1,
                    '000004.jpg': 2, '000005.jpg': 0}


def build_celeba(root: str) -> Dict[str, dict]:
    """Write img_align_celeba + lists and img_celeba + lists."""
    rng = np.random.default_rng(7)
    landmarks, wild_landmarks, boxes = [], [], []
    expected = {}
    header = ('lefteye_x lefteye_y righteye_x righteye_y nose_x nose_y '
              'leftmouth_x leftmouth_y rightmouth_x rightmouth_y')
    for i, name in enumerate(CELEBA_IMAGES):
        five = np.array([[20, 30], [40, 31], [30, 42], [22, 52], [39, 53]],
                        float) + rng.integers(-2, 3, (5, 2))
        write_image(osp.join(root, 'img_align_celeba', name),
                    textured_image(80, 70, seed=200 + i, gray=i == 2))
        landmarks.append(name + '  ' + ' '.join(
            str(int(v)) for v in five.reshape(-1)))
        wild = five + 30
        write_image(osp.join(root, 'img_celeba', name),
                    textured_image(140, 120, seed=300 + i))
        wild_landmarks.append(name + ' ' + ' '.join(
            str(int(v)) for v in wild.reshape(-1)))
        box = (35 + i, 40, 70, 80)  # x, y, w, h
        boxes.append(f'{name} ' + ' '.join(str(v) for v in box))
        expected[name] = dict(five=five, wild=wild, box=box,
                              partition=CELEBA_PARTITION[name])
    n = len(CELEBA_IMAGES)
    with open(osp.join(root, 'list_landmarks_align_celeba.txt'), 'w') as f:
        f.write(f'{n}\n{header}\n' + '\n'.join(landmarks) + '\n')
    with open(osp.join(root, 'list_landmarks_celeba.txt'), 'w') as f:
        f.write(f'{n}\n{header}\n' + '\n'.join(wild_landmarks) + '\n')
    with open(osp.join(root, 'list_bbox_celeba.txt'), 'w') as f:
        f.write(f'{n}\nimage_id x_1 y_1 width height\n' + '\n'.join(boxes) +
                '\n')
    with open(osp.join(root, 'list_eval_partition.txt'), 'w') as f:
        f.write('\n'.join(f'{k} {v}' for k, v in CELEBA_PARTITION.items()) +
                '\n')
    return expected


# -------------------------------------------------------------------- 300VW
FACE300VW_VIDEOS = {'001': 6, '114': 1}  # video id -> frames ('114': test)


def frame_image(index: int, height: int = 72, width: int = 96) -> np.ndarray:
    """A frame whose brightness encodes its index (survives MJPEG)."""
    img = textured_image(height, width, seed=500) // 4
    return (img + 30 * (index + 1)).clip(0, 255).astype(np.uint8)


def write_video(path: str, frames: List[np.ndarray], fps: float = 25,
                fourcc: str = 'MJPG') -> None:
    os.makedirs(osp.dirname(path), exist_ok=True)
    h, w = frames[0].shape[:2]
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*fourcc), fps,
                             (w, h))
    assert writer.isOpened(), f'OpenCV cannot write {fourcc} .avi here'
    for frame in frames:
        writer.write(frame)
    writer.release()


def build_300vw(root: str) -> Dict[Tuple[str, int], dict]:
    """Write <video>/vid.avi and annot/*.pts; return {(video, frame_idx)}."""
    expected = {}
    for v, (video, count) in enumerate(FACE300VW_VIDEOS.items()):
        write_video(osp.join(root, video, 'vid.avi'),
                    [frame_image(i) for i in range(count)])
        os.makedirs(osp.join(root, video, 'annot'), exist_ok=True)
        for i in range(count):
            box = (20 + 2 * i, 10 + i, 70 + 2 * i, 60 + i)
            kpts = random_landmarks(68, box, seed=600 + 10 * v + i)
            write_pts(osp.join(root, video, 'annot', f'{i + 1:06d}.pts'),
                      kpts)
            expected[(video, i)] = dict(keypoints=kpts, box=box)
    return expected


# ------------------------------------------------------------ frame folders
def build_ytf(root: str) -> Dict[str, List[str]]:
    """YouTube Faces style frame_images_DB with box lists."""
    videos = {'Ann_Lee/0': 3, 'Ann_Lee/1': 1, 'Bo_Chen/0': 2}
    lists: Dict[str, List[str]] = {}
    for video, count in videos.items():
        person = video.split('/')[0]
        for i in range(count):
            name = f'{video}/0.{9 + i}.jpg'  # 0.9, 0.10: natural order
            write_image(osp.join(root, name),
                        textured_image(60, 80, seed=700 + i))
            lists.setdefault(person, []).append(
                name.replace('/', '\\') + f',0,40,30,{30 + i},{32 + i},0.0,1')
    for person, rows in lists.items():
        with open(osp.join(root, f'{person}.labeled_faces.txt'), 'w') as f:
            f.write('\n'.join(rows) + '\n')
    return {v: [f'{v}/0.{9 + i}.jpg' for i in range(c)]
            for v, c in videos.items()}


def build_dataset(**cfg):
    """Build a registered dataset for a test (no serialization: mmengine's
    serialization runs a full gc.collect, slow in a big test process)."""
    from mmpose.registry import DATASETS
    cfg.setdefault('serialize_data', False)
    return DATASETS.build(cfg)


def aflw_json(path, faces):
    """Write an mmpose-style AFLW json: faces = [(name, (19, 2), box_size)]."""
    images, anns = [], []
    for i, (name, kpts, box_size) in enumerate(faces):
        images.append(dict(id=i, file_name=name, width=120, height=110))
        low, high = kpts.min(0), kpts.max(0)
        anns.append(
            dict(
                id=i, image_id=i, category_id=1, iscrowd=0,
                num_keypoints=19,
                keypoints=np.concatenate([kpts, np.ones((19, 1))],
                                         1).reshape(-1).tolist(),
                center=((low + high) / 2).tolist(),
                scale=float(max(high - low)) / 200,
                bbox=[*low.tolist(), *(high - low).tolist()],
                box_size=box_size))
    with open(path, 'w') as f:
        json.dump(dict(images=images, annotations=anns,
                       categories=[dict(id=1, name='face')]), f)


class LogLines(logging.Handler):
    """Context manager collecting what is logged to mmengine's current
    logger (``lines``, joined in ``text``)."""

    def __init__(self) -> None:
        super().__init__()
        self.lines: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def __enter__(self) -> 'LogLines':
        MMLogger.get_current_instance().addHandler(self)
        return self

    def __exit__(self, *exc) -> None:
        MMLogger.get_current_instance().removeHandler(self)

    @property
    def text(self) -> str:
        return '\n'.join(self.lines)
