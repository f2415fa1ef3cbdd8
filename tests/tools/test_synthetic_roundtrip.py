"""Synthetic faces written in every raw layout (300W, WFLW, CelebA, 300VW)
come back with the same landmarks through the dataset readers (raw layout)
and through the converters (COCO json)."""
import os.path as osp

import numpy as np
import pytest
from mmpose.registry import DATASETS, TRANSFORMS

from helpers import load_tool
import sht  # noqa: F401  (registers the datasets)
from sht.synthetic import write_300vw, write_300w, write_celeba, write_wflw

SIZE = 64  # image side: small and fast


def converter(name: str):
    """The ``main`` of tools/dataset_converters/<name>.py."""
    return load_tool(f'tools/dataset_converters/{name}.py').main


def build(**cfg):
    return DATASETS.build(dict(cfg, show_progress=False))


def faces_by_path(dataset, root: str):
    """{image path relative to ``root`` (+ frame index): data_info}."""
    out = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        key = osp.relpath(info['img_path'], root).replace(osp.sep, '/')
        if info.get('frame_idx') is not None:
            key = (info['video_id'], int(info['frame_idx']))
        out[key] = info
    return out


def assert_points(info: dict, expected: np.ndarray, atol: float) -> None:
    points = info['keypoints'][0]
    assert points.shape == expected.shape
    np.testing.assert_allclose(points, expected, atol=atol)
    assert info['keypoints_visible'][0].min() > 0
    assert info['labeled']


def test_300w_roundtrip(tmp_path):
    root = str(tmp_path / '300w')
    records = write_300w(root, num_per_subset=1, seed=3, image_size=SIZE)
    expected = {r['image']: r['landmarks'] for r in records}
    json_dir = str(tmp_path / 'json')
    converter('300w2coco')([root, json_dir])
    for split, subsets in (('train', ('afw', 'helen/trainset',
                                      'lfpw/trainset')),
                           ('full', ('helen/testset', 'lfpw/testset',
                                     'ibug'))):
        names = {r['image'] for r in records if r['subset'] in subsets}
        raw = faces_by_path(
            build(type='SHTFace300WDataset', data_root=root,
                  raw_split=split), root)
        converted = faces_by_path(
            build(type='SHTFace300WDataset', data_root=root,
                  ann_file=osp.join(json_dir, f'300w_{split}.json')), root)
        assert set(raw) == set(converted) == names
        for name in names:
            # .pts files hold 3 decimals, 1-based; readers give 0-based
            assert_points(raw[name], expected[name], 1e-3)
            assert_points(converted[name], expected[name], 1e-3)
            np.testing.assert_allclose(raw[name]['bbox'],
                                       converted[name]['bbox'], atol=1e-2)


def test_wflw_roundtrip(tmp_path):
    root = tmp_path / 'wflw'
    records = write_wflw(root, num_per_split=2, seed=4, image_size=SIZE)
    ann_dir = str(root / 'WFLW_annotations')
    img_dir = str(root / 'WFLW_images')
    json_dir = str(tmp_path / 'json')
    converter('wflw2coco')([ann_dir, img_dir, json_dir])
    for split in ('train', 'test'):
        expected = {r['image']: r for r in records if r['split'] == split}
        raw = faces_by_path(
            build(type='SHTWFLWDataset', data_root=str(root),
                  raw_split=split, data_prefix=dict(img='WFLW_images/')),
            img_dir)
        converted = faces_by_path(
            build(type='SHTWFLWDataset', data_root=str(root),
                  ann_file=osp.join(json_dir, f'wflw_{split}.json'),
                  data_prefix=dict(img='WFLW_images/')), img_dir)
        assert set(raw) == set(converted) == set(expected)
        for name, rec in expected.items():
            assert_points(raw[name], rec['landmarks98'], 1e-4)
            assert_points(converted[name], rec['landmarks98'], 1e-4)
            flagged = {
                a for a, f in zip(('pose', 'expression', 'illumination',
                                   'makeup', 'occlusion', 'blur'),
                                  rec['attributes']) if f
            }
            assert flagged <= set(raw[name]['subsets'])
            assert split in raw[name]['subsets']


@pytest.mark.parametrize('aligned', [False, True])
def test_celeba_roundtrip(tmp_path, aligned):
    root = str(tmp_path / 'celeba')
    records = write_celeba(root, num_images=6, seed=5, image_size=SIZE,
                           aligned=aligned)
    json_dir = str(tmp_path / 'json')
    converter('celeba2coco')([root, json_dir] +
                             ([] if aligned else ['--in-the-wild']))
    names = {0: 'train', 1: 'val', 2: 'test'}
    checked = 0
    for part, split in names.items():
        expected = {r['image']: r for r in records if r['partition'] == part}
        if not expected:
            continue
        raw = faces_by_path(
            build(type='SHTCelebADataset', data_root=root, raw_split=split,
                  aligned=aligned), root)
        converted = faces_by_path(
            build(type='SHTCelebADataset', data_root=root,
                  ann_file=osp.join(json_dir, f'celeba_{split}.json'),
                  aligned=aligned), root)
        assert set(raw) == set(converted) == set(expected)
        for name, rec in expected.items():
            # the lists hold whole pixels, as CelebA's do
            truth = np.round(rec['landmarks5'])
            assert_points(raw[name], truth, 1e-4)
            assert_points(converted[name], truth, 1e-4)
            # ... which are within half a pixel of the true points
            np.testing.assert_allclose(raw[name]['keypoints'][0],
                                       rec['landmarks5'], atol=0.5 + 1e-4)
            checked += 1
    assert checked == len(records)


def test_300vw_roundtrip(tmp_path):
    root = str(tmp_path / '300vw')
    records = write_300vw(root, num_videos=2, frames_per_video=[1, 3],
                          seed=6, image_size=SIZE)
    expected = {(r['video_id'], t): r['landmarks'][t]
                for r in records for t in range(r['num_frames'])}
    out_dir = str(tmp_path / 'converted')
    written = converter('300vw2coco')([root, out_dir])
    assert osp.join(out_dir, '300vw_train.json') in written
    raw = build(type='SHTFace300VWDataset', data_root=root, raw_split='all')
    raw_faces = faces_by_path(raw, root)
    converted = faces_by_path(
        build(type='SHTFace300VWDataset', data_root=out_dir,
              ann_file=osp.join(out_dir, '300vw_train.json'),
              data_prefix=dict(img=out_dir)), out_dir)
    assert set(raw_faces) == set(converted) == set(expected)
    for key, points in expected.items():
        assert_points(raw_faces[key], points, 1e-3)
        assert_points(converted[key], points, 1e-3)
    # a frame decoded from the video and its extracted file agree in size
    load = TRANSFORMS.build(dict(type='LoadFaceImage'))
    frame = load(dict(raw_faces[('002', 2)]))['img']
    extracted = load(dict(img_path=converted[('002', 2)]['img_path']))['img']
    assert frame.shape == extracted.shape == (SIZE, SIZE, 3)
    assert np.abs(frame.astype(int) - extracted.astype(int)).mean() < 8
