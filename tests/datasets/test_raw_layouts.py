"""Datasets read the official raw layouts: keypoints, boxes, subsets."""
import math
import os.path as osp

import numpy as np
import pytest
from mmpose.registry import TRANSFORMS

from helpers.face_data import build_dataset, frame_image


def read_raw(dataset_type, root, split, **cfg):
    """Dataset ``dataset_type`` reading split ``split`` of the raw layout
    below ``root``."""
    return build_dataset(
        type=dataset_type, data_root=root, raw_split=split, **cfg)


def square_xyxy(box, side_of=lambda w, h: math.ceil(max(w, h))):
    """Expected square face box (hand formula, independent of the code)."""
    x1, y1, x2, y2 = box
    side = side_of(x2 - x1, y2 - y1)
    cx, cy = (x1 + x2) / 2, (y1 + y2) / 2
    return np.array([cx - side / 2, cy - side / 2, cx + side / 2,
                     cy + side / 2])


def by_name(dataset, root):
    out = {}
    for i in range(len(dataset)):
        info = dataset.get_data_info(i)
        out[osp.relpath(info['img_path'], root).replace('\\', '/')] = info
    return out


def load_image(info):
    return TRANSFORMS.build(dict(type='LoadFaceImage'))(dict(info))['img']


@pytest.mark.parametrize('split,expected_count', [('train', 3), ('common', 2),
                                                  ('challenging', 2),
                                                  ('full', 4), ('test', 2)])
def test_300w_raw_splits(face300w_root, split, expected_count):
    root, expected = face300w_root
    ds = read_raw('SHTFace300WDataset', root, split)
    assert len(ds) == expected_count
    for name, info in by_name(ds, root).items():
        exp = expected[name]
        # .pts are 1-based; the dataset is 0-based: the written values
        # were exp + 1, so equality here checks the "minus 1" mapping
        np.testing.assert_allclose(info['keypoints'][0], exp['keypoints'],
                                   atol=1e-3)
        assert info['keypoints'].shape == (1, 68, 2)
        assert info['keypoints_visible'].shape == (1, 68)
        assert info['labeled'] is True
        assert info['subsets'] == exp['subsets']
        assert split in info['subsets'] or split == 'full'
        np.testing.assert_allclose(info['bbox'][0], square_xyxy(exp['box']),
                                   atol=1e-3)


def test_300w_images_gray_png_and_space(face300w_root):
    root, expected = face300w_root
    ds = read_raw('SHTFace300WDataset', root, 'full')
    infos = by_name(ds, root)
    assert 'ibug/image_092 _01.jpg' in infos
    assert 'lfpw/testset/image_0002.png' in infos  # grayscale png
    for name, info in infos.items():
        img = load_image(info)
        w, h = expected[name]['size']
        assert img.shape == (h, w, 3), name


def test_wflw_raw_list_and_split(wflw_root):
    root, faces = wflw_root
    by_list = build_dataset(
        type='SHTWFLWDataset', data_root=root,
        ann_file='WFLW_annotations/list_98pt_rect_attr_train_test/'
        'list_98pt_rect_attr_test.txt',
        data_prefix=dict(img='WFLW_images/'))
    by_split = read_raw('SHTWFLWDataset', root, 'test',
                        data_prefix=dict(img='WFLW_images/'))
    test_faces = [f for f in faces if f['split'] == 'test']
    for ds in (by_list, by_split):
        assert len(ds) == len(test_faces)
        for i, face in enumerate(test_faces):
            info = ds.get_data_info(i)
            assert info['img_path'].endswith(face['image'])
            np.testing.assert_allclose(info['keypoints'][0],
                                       face['keypoints'], atol=1e-4)
            assert info['subsets'] == face['subsets']
            np.testing.assert_allclose(info['bbox'][0],
                                       square_xyxy(face['box']), atol=1e-3)
    train = read_raw('SHTWFLWDataset', root, 'train',
                     data_prefix=dict(img='WFLW_images/'))
    assert len(train) == 3
    # two faces of one image: same image id, both kept
    assert train.get_data_info(0)['img_id'] == train.get_data_info(1)['img_id']
    assert train.get_data_info(1)['subsets'] == ('train', 'pose', 'occlusion')


def five_point_box_by_hand(five):
    low, high = five.min(0), five.max(0)
    side5 = max(high - low)
    cx, cy = (low + high) / 2
    cy += 0.1 * side5
    side = 2.0 * side5
    return np.array([cx - side / 2, cy - side / 2, cx + side / 2,
                     cy + side / 2])


def test_celeba_raw_five_points_and_partition(celeba_root):
    root, expected = celeba_root
    ds = read_raw('SHTCelebADataset', root, 'train')
    assert ds.metainfo['num_keypoints'] == 5
    names = [osp.basename(ds.get_data_info(i)['img_path'])
             for i in range(len(ds))]
    assert names == [n for n, e in expected.items() if e['partition'] == 0]
    for i, name in enumerate(names):
        info = ds.get_data_info(i)
        np.testing.assert_allclose(info['keypoints'][0],
                                   expected[name]['five'])
        np.testing.assert_allclose(
            info['bbox'][0], five_point_box_by_hand(expected[name]['five']),
            atol=1e-4)
        assert info['subsets'] == ('train', )
    everything = read_raw('SHTCelebADataset', root, 'all')
    assert [everything.get_data_info(i)['subsets'][0]
            for i in range(len(everything))] == [
                'train', 'train', 'val', 'test', 'train'
            ]


def test_celeba_unlabeled_box_list(celeba_root):
    root, expected = celeba_root
    ds = read_raw('SHTCelebADataset', root, 'test', aligned=False,
                  box_source='bbox', labeled=False, num_keypoints=68)
    assert len(ds) == 1
    info = ds.get_data_info(0)
    x, y, w, h = expected['000004.jpg']['box']
    np.testing.assert_allclose(
        info['bbox'][0],
        square_xyxy((x, y, x + w, y + h), side_of=lambda a, b: max(a, b)))
    assert info['labeled'] is False
    assert info['keypoints'].shape == (1, 68, 2)
    assert not info['keypoints'].any() and not info['keypoints_visible'].any()
    assert load_image(info).shape == (140, 120, 3)


def test_300vw_raw_videos(face300vw_root):
    root, expected = face300vw_root
    ds = read_raw('SHTFace300VWDataset', root, 'all')
    assert len(ds) == len(expected)
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        key = (info['video_id'], info['frame_idx'])
        np.testing.assert_allclose(info['keypoints'][0],
                                   expected[key]['keypoints'], atol=1e-3)
        assert info['img_path'].endswith(osp.join(key[0], 'vid.avi'))
        assert info['subsets'] == (('test', 'category1')
                                   if key[0] == '114' else ('train', ))
        img = load_image(info)
        assert img.shape == (72, 96, 3)
        # the decoded frame is frame `frame_idx` (brightness code, MJPEG)
        assert abs(img.mean() - frame_image(key[1]).mean()) < 4
    train = read_raw('SHTFace300VWDataset', root, 'train')
    assert {train.get_data_info(i)['video_id']
            for i in range(len(train))} == {'001'}
    test1 = read_raw('SHTFace300VWDataset', root, 'test1')
    assert len(test1) == 1 and test1.get_data_info(0)['frame_idx'] == 0


def test_300vw_broken_frames_are_left_out(face300vw_root):
    root, _ = face300vw_root
    ds = read_raw('SHTFace300VWDataset', root, 'train',
                  broken_frames={'001': [2, 5]})
    assert sorted(ds.get_data_info(i)['frame_idx']
                  for i in range(len(ds))) == [0, 2, 3, 5]


def test_youtube_faces_frames(ytf_root):
    root, videos = ytf_root
    ds = read_raw('SHTFrameFolderDataset', root, 'all')
    assert len(ds) == sum(len(v) for v in videos.values())
    seen = {}
    for i in range(len(ds)):
        info = ds.get_data_info(i)
        seen.setdefault(info['video_id'], []).append(
            (info['frame_idx'],
             osp.relpath(info['img_path'], root).replace('\\', '/')))
        assert info['labeled'] is False and not info['keypoints'].any()
        k = int(info['img_path'].split('.')[-2]) - 9
        side = 32 + k  # max(30 + k, 32 + k)
        np.testing.assert_allclose(
            info['bbox'][0], [40 - side / 2, 30 - side / 2, 40 + side / 2,
                              30 + side / 2])
    assert {v: [p for _, p in sorted(f)] for v, f in seen.items()} == videos


def test_plain_frame_folders(tmp_path):
    from helpers.face_data import textured_image, write_image
    for video, count in (('clip_a', 3), ('sub/clip_b', 2)):
        for i in range(count):
            write_image(str(tmp_path / video / f'frame{i + 1}.png'),
                        textured_image(40, 50, seed=i))
    ds = read_raw('SHTFrameFolderDataset', str(tmp_path), 'all')
    assert {ds.get_data_info(i)['video_id']
            for i in range(len(ds))} == {'clip_a', 'sub/clip_b'}
    np.testing.assert_allclose(ds.get_data_info(0)['bbox'][0],
                               [0, -5, 50, 45])
