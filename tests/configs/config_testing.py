"""Shared code of the config tests: the metafile, flattened configs, and tiny
datasets in every layout the row configs read (written by the tests with
``sht.synthetic`` and the project's converters)."""
import functools
import importlib.util
import json
import os
import os.path as osp
import shutil
from typing import Any, Dict, Iterator, List, Tuple

import cv2
import numpy as np
import yaml
from mmengine.config import Config

from sht.datasets.coco_format import FaceCocoBuilder, write_coco_json
from sht.synthetic import (layout_generator, write_300vw, write_300w,
                           write_celeba, write_wflw)

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_ROOT = osp.join(REPO_ROOT, 'configs', 'sht')
METAFILE = osp.join(CONFIG_ROOT, 'metafile.yml')
CONVERTERS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')

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


# ---------------------------------------------------------------- configs
def load_metafile() -> List[dict]:
    """The ``Models`` entries of ``configs/sht/metafile.yml``."""
    with open(METAFILE) as f:
        return yaml.safe_load(f)['Models']


def config_path(entry: dict) -> str:
    """Absolute path of a metafile entry's config."""
    return osp.join(REPO_ROOT, entry['Config'])


@functools.lru_cache(maxsize=None)
def load_config(path: str) -> Config:
    """``Config.fromfile(path)``, loaded once per pytest run (callers
    must not modify it)."""
    return Config.fromfile(path)


def load_row(name: str) -> Config:
    """The row config called ``name`` (found through the metafile)."""
    for entry in load_metafile():
        if entry['Name'] == name:
            return load_config(config_path(entry))
    raise KeyError(f'{name} is not in {METAFILE}')


def flatten(obj: Any, prefix: str = '') -> Dict[str, Any]:
    """A nested config as ``{dotted.key: leaf}``; list items are keyed by
    their index (``custom_hooks.0.type``), empty containers are leaves."""
    if isinstance(obj, dict) and obj:
        out = {}
        for key in obj:
            out.update(
                flatten(obj[key], f'{prefix}.{key}' if prefix else str(key)))
        return out
    if isinstance(obj, (list, tuple)) and obj:
        out = {}
        for i, item in enumerate(obj):
            out.update(flatten(item, f'{prefix}.{i}'))
        return out
    return {prefix: obj}


def flat_config(cfg: Any) -> Dict[str, Any]:
    """A whole config (or a part of one), flattened (see :func:`flatten`).
    """
    return flatten(cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg)


def config_diff(child: Any, parent: Any) -> Dict[str, Tuple]:
    """``{key: (child value, parent value)}`` for every flattened key whose
    value differs or that only one of the two has (``'<absent>'``)."""
    a, b = flat_config(child), flat_config(parent)
    missing = '<absent>'
    return {
        key: (a.get(key, missing), b.get(key, missing))
        for key in sorted(set(a) | set(b))
        if a.get(key, missing) != b.get(key, missing)
    }


def dataloader_configs(cfg: Config) -> Iterator[Tuple[str, dict]]:
    """(where, dataloader config) for the runner's dataloaders and every
    training phase that brings its own."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            yield key, cfg[key]
    for j, phase in enumerate((cfg.get('train_cfg') or {}).get('phases', [])):
        if phase.get('train_dataloader'):
            yield (f'train_cfg.phases.{j}.train_dataloader',
                   phase_dataloader(cfg, phase))


def phase_dataloader(cfg: Config, phase: dict) -> dict:
    """A phase's own dataloader config: given in the phase, or the name of
    a top-level entry of the config (as SHTTrainLoop resolves it)."""
    loader = phase['train_dataloader']
    if isinstance(loader, str):
        assert isinstance(cfg.get(loader), dict), \
            f'phase {phase["name"]}: no dataloader "{loader}" in the config'
        return cfg[loader]
    return loader


def data_roots(obj: Any) -> List[str]:
    """Every ``data_root`` value in a (nested) config."""
    return [
        v for k, v in flatten(obj).items()
        if k == 'data_root' or k.endswith('.data_root')
    ]


def with_data_roots(obj: Any, fixtures: Dict[str, str]) -> Any:
    """A copy of a (nested) config with each ``data_root`` replaced by its
    fixture folder."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if key == 'data_root':
                out[key] = fixtures[DATA_ROOTS[value]]
            else:
                out[key] = with_data_roots(value, fixtures)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(with_data_roots(v, fixtures) for v in obj)
    return obj


def metric_types(evaluator: Any) -> List[str]:
    """Metric types of an evaluator config (a dict or a list of them)."""
    items = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    return [m['type'] for m in items]


# --------------------------------------------------------------- fixtures
def load_converter(name: str):
    """Import ``tools/dataset_converters/<name>.py`` as a module."""
    path = osp.join(CONVERTERS, f'{name}.py')
    spec = importlib.util.spec_from_file_location(f'converter_{name}', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    load_converter('300w2coco').main(
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
    load_converter('wflw2coco').main([
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
    load_converter('300vw2coco').main([raw_300vw, roots['300vw']])

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
