"""Converters: their json loads in SHT's datasets and in mmpose's own classes
with the same keypoints as the raw layout."""
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from helpers.face_data import (REPO_ROOT, aflw_json, build_dataset,
                               frame_image, load_tool, random_landmarks,
                               textured_image, write_image)
from mmpose.registry import TRANSFORMS

TOOLS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')


def assert_same_faces(a, b, box=True):
    assert len(a) == len(b) > 0
    for i in range(len(a)):
        x, y = a.get_data_info(i), b.get_data_info(i)
        assert osp.normpath(x['img_path']) == osp.normpath(y['img_path'])
        np.testing.assert_allclose(x['keypoints'], y['keypoints'], atol=1e-3)
        if box:
            np.testing.assert_allclose(x['bbox'], y['bbox'], atol=1e-2)


@pytest.fixture(scope='module')
def converted_300w(face300w_root, tmp_path_factory):
    root, expected = face300w_root
    out = str(tmp_path_factory.mktemp('300w_json'))
    written = load_tool(osp.join(TOOLS, '300w2coco.py')).main([root, out])
    return root, out, written, expected


def test_300w2coco(converted_300w):
    root, out, written, expected = converted_300w
    assert sorted(osp.basename(p) for p in written) == sorted([
        '300w_train.json', '300w_common.json', '300w_challenging.json',
        '300w_full.json', '300w_test.json'
    ])
    for split in ('train', 'common', 'challenging', 'full', 'test'):
        json_file = osp.join(out, f'300w_{split}.json')
        ours = build_dataset(
            type='SHTFace300WDataset', data_root=root, ann_file=json_file)
        raw = build_dataset(
            type='SHTFace300WDataset', data_root=root, raw_split=split)
        mmpose_ds = build_dataset(
            type='Face300WDataset', data_root=root, ann_file=json_file)
        assert_same_faces(ours, raw)
        assert_same_faces(ours, mmpose_ds)
        for i in range(len(ours)):
            info = ours.get_data_info(i)
            name = osp.relpath(info['img_path'], root)
            assert info['subsets'] == expected[name]['subsets']
            assert info['subsets'] == raw.get_data_info(i)['subsets']
    # 0-based keypoints in the json itself: the .pts values minus 1
    with open(osp.join(out, '300w_challenging.json')) as f:
        data = json.load(f)
    names = {img['id']: img['file_name'] for img in data['images']}
    for ann in data['annotations']:
        kpts = np.array(ann['keypoints']).reshape(-1, 3)[:, :2]
        np.testing.assert_allclose(
            kpts, expected[names[ann['image_id']]]['keypoints'], atol=1e-3)


def test_helen_json_in_sht_and_mmpose(converted_300w):
    root, out, _, _ = converted_300w
    json_file = osp.join(out, '300w_common.json')
    helen = build_dataset(
        type='SHTHelenDataset', data_root=root, ann_file=json_file)
    assert helen.metainfo['num_keypoints'] == 68
    assert_same_faces(
        helen,
        build_dataset(
            type='Face300WDataset', data_root=root, ann_file=json_file))


def test_wflw2coco(wflw_root, tmp_path):
    root, faces = wflw_root
    written = load_tool(osp.join(TOOLS, 'wflw2coco.py')).main([
        osp.join(root, 'WFLW_annotations'),
        osp.join(root, 'WFLW_images'),
        str(tmp_path)
    ])
    attrs = ('pose', 'expression', 'illumination', 'makeup', 'occlusion',
             'blur')
    assert sorted(osp.basename(p) for p in written) == sorted(
        ['wflw_train.json', 'wflw_test.json'] +
        [f'wflw_test_{a}.json' for a in attrs])
    prefix = dict(img='WFLW_images/')
    for split in ('train', 'test'):
        json_file = str(tmp_path / f'wflw_{split}.json')
        ours = build_dataset(
            type='SHTWFLWDataset', data_root=root, ann_file=json_file,
            data_prefix=prefix)
        raw = build_dataset(
            type='SHTWFLWDataset', data_root=root, raw_split=split,
            data_prefix=prefix)
        mmpose_ds = build_dataset(
            type='WFLWDataset', data_root=root, ann_file=json_file,
            data_prefix=prefix)
        assert_same_faces(ours, raw)
        assert_same_faces(ours, mmpose_ds)
        split_faces = [f for f in faces if f['split'] == split]
        assert [ours.get_data_info(i)['subsets'] for i in range(len(ours))
                ] == [f['subsets'] for f in split_faces]
    for attr in attrs:
        with open(tmp_path / f'wflw_test_{attr}.json') as f:
            data = json.load(f)
        want = [f for f in faces if f['split'] == 'test'
                and attr in f['subsets']]
        assert len(data['annotations']) == len(want)
        for ann, face in zip(data['annotations'], want):
            np.testing.assert_allclose(
                np.array(ann['keypoints']).reshape(-1, 3)[:, :2],
                face['keypoints'], atol=1e-3)


def test_celeba2coco(celeba_root, tmp_path):
    root, expected = celeba_root
    written = load_tool(osp.join(TOOLS, 'celeba2coco.py')).main(
        [root, str(tmp_path)])
    assert sorted(osp.basename(p) for p in written) == [
        'celeba_test.json', 'celeba_train.json', 'celeba_val.json'
    ]
    for split in ('train', 'val', 'test'):
        ours = build_dataset(
            type='SHTCelebADataset', data_root=root,
            ann_file=str(tmp_path / f'celeba_{split}.json'))
        raw = build_dataset(
            type='SHTCelebADataset', data_root=root, raw_split=split)
        assert_same_faces(ours, raw)
        unlabeled = build_dataset(
            type='SHTCelebADataset', data_root=root, labeled=False,
            num_keypoints=68, ann_file=str(tmp_path / f'celeba_{split}.json'))
        assert_same_faces(
            unlabeled,
            build_dataset(
                type='SHTCelebADataset', data_root=root, raw_split=split,
                labeled=False, num_keypoints=68))
        assert all(not unlabeled.get_data_info(i)['labeled']
                   for i in range(len(unlabeled)))


def test_300vw2coco(face300vw_root, tmp_path):
    root, expected = face300vw_root
    written = load_tool(osp.join(TOOLS, '300vw2coco.py')).main(
        [root, str(tmp_path), '--ext', 'png'])
    assert sorted(osp.basename(p) for p in written) == sorted([
        '300vw_train.json', '300vw_test.json', '300vw_test_category1.json',
        '300vw_test_category2.json', '300vw_test_category3.json'
    ])
    load = TRANSFORMS.build(dict(type='LoadFaceImage'))
    for split, videos in (('train', {'001'}), ('test', {'114'})):
        json_file = str(tmp_path / f'300vw_{split}.json')
        ours = build_dataset(
            type='SHTFace300VWDataset', data_root=str(tmp_path),
            ann_file=json_file)
        mmpose_ds = build_dataset(
            type='Face300VWDataset', data_root=str(tmp_path),
            ann_file=json_file)
        raw = build_dataset(
            type='SHTFace300VWDataset', data_root=root, raw_split=split)
        assert_same_faces(ours, mmpose_ds)
        assert len(ours) == len(raw)
        for i in range(len(ours)):
            info, raw_info = ours.get_data_info(i), raw.get_data_info(i)
            assert info['video_id'] in videos
            assert (info['video_id'], info['frame_idx']) == (
                raw_info['video_id'], raw_info['frame_idx'])
            np.testing.assert_allclose(info['keypoints'],
                                       raw_info['keypoints'], atol=1e-3)
            # frame NNNNNN.png is frame_idx NNNNNN - 1 of the video
            assert info['img_path'].endswith(
                f'{info["video_id"]}/imgs/{info["frame_idx"] + 1:06d}.png')
            from_file = load(dict(info))['img']
            from_video = load(dict(raw_info))['img']
            np.testing.assert_array_equal(from_file, from_video)
            assert abs(from_file.mean() -
                       frame_image(info['frame_idx']).mean()) < 4


def test_aflw_json_full_and_frontal(tmp_path):
    faces = []
    for i in range(3):
        name = f'image{i:05d}.jpg'
        write_image(str(tmp_path / 'images' / name),
                    textured_image(110, 120, seed=40 + i))
        faces.append((name, random_landmarks(19, (20, 20, 90, 95), 40 + i),
                      float(70 + i)))
    aflw_json(str(tmp_path / 'test.json'), faces)
    aflw_json(str(tmp_path / 'frontal.json'), faces[1:])
    ours = build_dataset(
        type='SHTAFLWDataset', data_root=str(tmp_path),
        ann_file='test.json', data_prefix=dict(img='images/'),
        subset_ann_files=dict(frontal='frontal.json'), test_mode=True)
    mmpose_ds = build_dataset(
        type='AFLWDataset', data_root=str(tmp_path), ann_file='test.json',
        data_prefix=dict(img='images/'), test_mode=True)
    assert_same_faces(ours, mmpose_ds)
    assert [ours.get_data_info(i)['subsets'] for i in range(3)] == [
        ('full', ), ('full', 'frontal'), ('full', 'frontal')
    ]
    assert [ours.get_data_info(i)['box_size'] for i in range(3)] == [
        mmpose_ds.get_data_info(i)['box_size'] for i in range(3)
    ]


def test_grayscale_image_loads_as_three_channels(face300w_root):
    root, _ = face300w_root
    path = osp.join(root, 'lfpw', 'testset', 'image_0002.png')
    assert cv2.imread(path, cv2.IMREAD_UNCHANGED).ndim == 2
    img = TRANSFORMS.build(dict(type='LoadFaceImage'))(
        dict(img_path=path))['img']
    assert img.ndim == 3 and img.shape[2] == 3
