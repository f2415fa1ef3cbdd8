"""Fixture sets written by the tests, each for its own test folder:

- :func:`write_dataset_fixtures`: every layout the row configs read (raw
  folders plus the converters' json files), written with ``sht.synthetic``
  and ``tools/dataset_converters`` (the config tests);
- :func:`write_tiny_face_data`: labeled 300W and unlabeled CelebA faces for
  the tiny training runs (the engine tests);
- :func:`write_fixture_dataset`: one COCO json with 300W subset tags (the
  evaluation tool tests).
"""
import json
import os
import os.path as osp
import shutil
from pathlib import Path
from typing import Dict, List

import cv2
import numpy as np
import sht  # noqa: F401  (registers the datasets)

from helpers import load_tool
from sht.datasets.coco_format import FaceCocoBuilder, write_coco_json
from sht.synthetic import (layout_generator, write_300vw, write_300w,
                           write_celeba, write_wflw)


# ------------------------------------------ layouts the row configs read
#: data_root of each dataset in the configs -> fixture folder name.
DATA_ROOTS = {
    'data/300w/': '300w',
    'data/helen/': 'helen',
    'data/wflw/': 'wflw',
    'data/aflw/': 'aflw',
    'data/celeba/': 'celeba',
    'data/300vw/': '300vw',
    'data/youtube_faces/frame_images_DB/': 'youtube_faces',
}

FIXTURE_IMAGE_SIZE = 96


def _landmark_face(builder: FaceCocoBuilder, image_id: int,
                   landmarks: np.ndarray, subsets, **extra) -> None:
    lo, hi = landmarks.min(0), landmarks.max(0)
    builder.add_face(image_id, (lo + hi) / 2,
                     float((hi - lo).max()) * 1.2, landmarks, subsets, **extra)


def _filter_coco(src: str, dst: str, prefix: str) -> None:
    """Keep the images (and faces) of ``src`` whose file name starts with
    ``prefix`` (the Helen preparation of docs/reproduce.md)."""
    with open(src) as f:
        coco = json.load(f)
    images = [i for i in coco['images'] if i['file_name'].startswith(prefix)]
    ids = {i['id'] for i in images}
    coco.update(
        images=images,
        annotations=[a for a in coco['annotations'] if a['image_id'] in ids])
    write_coco_json(coco, dst)


def write_dataset_fixtures(base: str) -> Dict[str, str]:
    """Tiny copies of every dataset layout the row configs read.

    Args:
        base (str): An empty folder.

    Returns:
        dict: fixture name (values of :data:`DATA_ROOTS`) -> folder, each
        laid out as the config comments and docs/reproduce.md describe.
    """
    size = FIXTURE_IMAGE_SIZE
    roots = {name: osp.join(base, name) for name in DATA_ROOTS.values()}

    # 300W: raw layout + 300w2coco.py
    write_300w(roots['300w'], num_per_subset=1, image_size=size)
    load_tool('tools/dataset_converters/300w2coco.py').main(
        [roots['300w'], osp.join(roots['300w'], 'annotations')])

    # Helen: the helen/ faces of 300W's converted json files
    os.makedirs(osp.join(roots['helen'], 'annotations'))
    shutil.copytree(
        osp.join(roots['300w'], 'helen'), osp.join(roots['helen'], 'helen'))
    for src, dst in (('300w_train', 'helen_train'), ('300w_common',
                                                     'helen_test')):
        _filter_coco(
            osp.join(roots['300w'], 'annotations', f'{src}.json'),
            osp.join(roots['helen'], 'annotations', f'{dst}.json'), 'helen/')

    # WFLW: raw lists + wflw2coco.py
    write_wflw(roots['wflw'], num_per_split=2, image_size=size)
    load_tool('tools/dataset_converters/wflw2coco.py').main([
        osp.join(roots['wflw'], 'WFLW_annotations'),
        osp.join(roots['wflw'], 'WFLW_images'),
        osp.join(roots['wflw'], 'annotations')
    ])

    # CelebA: raw aligned lists (unlabeled use) + 68-point json files
    records = write_celeba(
        roots['celeba'], num_images=4, image_size=size, aligned=True)
    for split, part in (('train', records[:3]), ('test', records[3:])):
        builder = FaceCocoBuilder(68)
        for rec in part:
            image_id = builder.add_image(rec['image'], 178, 218)
            _landmark_face(builder, image_id, rec['landmarks'], (split, ))
        write_coco_json(
            builder.to_dict(),
            osp.join(roots['celeba'], 'annotations', f'celeba68_{split}.json'))

    # 300VW: raw videos + 300vw2coco.py (frames and json files)
    raw_300vw = osp.join(base, '300vw_raw')
    write_300vw(raw_300vw, num_videos=1, frames_per_video=3, image_size=size)
    load_tool('tools/dataset_converters/300vw2coco.py').main([raw_300vw, roots['300vw']])

    # AFLW-19: mmpose's json layout (19 points, box_size), frontal subset
    gen = layout_generator(0, '300w', size)
    builder = FaceCocoBuilder(19)
    for k in range(3):
        image, landmarks, _ = gen.sample()
        name = f'image{k:05d}.jpg'
        os.makedirs(osp.join(roots['aflw'], 'images'), exist_ok=True)
        cv2.imwrite(osp.join(roots['aflw'], 'images', name), image)
        image_id = builder.add_image(name, size, size)
        picked = landmarks[np.linspace(0, 67, 19).astype(int)]
        _landmark_face(builder, image_id, picked, (), box_size=40.0)
    coco = builder.to_dict()
    for split, keep in (('train', 3), ('test', 3), ('test_frontal', 1)):
        part = dict(coco, annotations=coco['annotations'][:keep])
        write_coco_json(
            part,
            osp.join(roots['aflw'], 'annotations',
                     f'face_landmarks_aflw_{split}.json'))

    # YouTube Faces frame_images_DB: <person>/<n>/<frame>.jpg
    gen = layout_generator(1, '300vw', size)
    for person, video in (('Aaron_Eckhart', '0'), ('Zico', '3')):
        folder = osp.join(roots['youtube_faces'], person, video)
        os.makedirs(folder)
        for frame, (image, _, _) in enumerate(gen.sample_video(3)):
            cv2.imwrite(
                osp.join(folder, f'aligned_detect_0.{frame:03d}.jpg'), image)
    return roots


# ------------------------------------------- the engine tests' training data
def write_tiny_face_data(root: str) -> str:
    """Write 6 labeled training faces (raw 300W layout, 68 points) and 4
    unlabeled ones (raw CelebA layout), 64x64 px, under ``root``."""
    write_300w(osp.join(root, '300w'), num_per_subset=2, seed=0,
               image_size=64)
    write_celeba(osp.join(root, 'celeba'), num_images=4, seed=1,
                 image_size=64)
    return root


# ------------------------------------------ COCO json with 300W subset tags
#: subset tags of the fixture faces (300W-style: common / challenging,
#: both in full)
FIXTURE_SUBSETS = [['common', 'full'], ['common', 'full'],
                   ['challenging', 'full'], ['common', 'full'],
                   ['challenging', 'full'], ['common', 'full']]


def write_fixture_dataset(root: Path, size: int = 48,
                          seed: int = 0) -> List[Dict]:
    """Write images and a COCO-style json with 68 landmarks per face.

    Returns:
        list[dict]: The annotations written.
    """
    rng = np.random.default_rng(seed)
    (root / 'images').mkdir(parents=True, exist_ok=True)
    images, annotations = [], []
    yy, xx = np.mgrid[0:size, 0:size]
    for i, subsets in enumerate(FIXTURE_SUBSETS):
        img = np.stack([(xx * 4 + 40 * i) % 256, (yy * 5) % 256,
                        ((xx + yy) * 3) % 256], -1).astype(np.uint8)
        img = np.clip(img + rng.normal(0, 20, img.shape), 0,
                      255).astype(np.uint8)
        name = f'face_{i}.png'
        cv2.imwrite(str(root / 'images' / name), img)
        kpts = rng.uniform(8, size - 8, size=(68, 2))
        centre = (kpts.min(0) + kpts.max(0)) / 2
        side = float(np.ceil((kpts.max(0) - kpts.min(0)).max()))
        images.append(dict(id=i, file_name=name, height=size, width=size))
        annotations.append(
            dict(
                id=i,
                image_id=i,
                category_id=1,
                iscrowd=0,
                num_keypoints=68,
                keypoints=np.concatenate([kpts, np.full((68, 1), 2.0)],
                                         1).reshape(-1).tolist(),
                center=centre.tolist(),
                scale=side / 200.0,
                bbox=[
                    float(centre[0] - side / 2),
                    float(centre[1] - side / 2), side, side
                ],
                area=side * side,
                subsets=subsets))
    with open(root / 'faces.json', 'w') as f:
        json.dump(
            dict(
                images=images,
                annotations=annotations,
                categories=[dict(id=1, name='face')]), f)
    return annotations
