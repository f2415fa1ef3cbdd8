"""Bad input gives an error naming the file (and line) and what was expected;
``skip_invalid=True`` skips such samples and logs how many and which."""
import json
import os
import os.path as osp
import re

import numpy as np
import pytest
from helpers.face_data import (LogLines, build_300vw, build_300w, build_celeba,
                               build_dataset, build_wflw, random_landmarks,
                               replace_line, wflw_list_file, write_pts)
from mmpose.registry import TRANSFORMS

from sht.datasets import FaceDataError
from sht.datasets.readers import parse_wflw_line, read_pts


def raises_naming(path, line=None, match=None):
    """Context: a FaceDataError whose message names ``path`` (and
    ``path:line``)."""
    where = f'{path}:{line}' if line is not None else path
    pattern = re.escape(where)
    if match:
        pattern += '.*' + match
    return pytest.raises(FaceDataError, match=pattern)


@pytest.fixture
def face300w(tmp_path):
    root = str(tmp_path / '300w')
    build_300w(root)
    return root


def ibug_pts(root):
    return osp.join(root, 'ibug', 'image_003_1.pts')


def test_pts_wrong_point_count(face300w):
    pts = ibug_pts(face300w)
    write_pts(pts, random_landmarks(67, (10, 10, 50, 50), 0))
    # header "n_points: 67" disagrees with the 68 points of 300W
    with raises_naming(pts, match='n_points: 67.*expected 68 points'):
        build_dataset(
            type='SHTFace300WDataset', data_root=face300w,
            raw_split='challenging')
    # a correct header but a missing point line: "}" is on line 71
    replace_line(pts, 1, 'n_points: 68')
    with raises_naming(pts, 71, 'found 67 points'):
        read_pts(pts, 68)


@pytest.mark.parametrize('bad,problem', [('12.5 abc', 'non-numeric'),
                                         ('1 2 3', 'broken point line'),
                                         ('7', 'broken point line')])
def test_pts_broken_line(face300w, bad, problem):
    pts = ibug_pts(face300w)
    replace_line(pts, 9, bad)  # line 10 of the file
    with raises_naming(pts, 10, problem):
        build_dataset(
            type='SHTFace300WDataset', data_root=face300w, raw_split='full')


def test_pts_without_braces(tmp_path):
    pts = str(tmp_path / 'a.pts')
    with open(pts, 'w') as f:
        f.write('version: 1\nn_points: 2\n1 2\n3 4\n')
    with raises_naming(pts, match='no "{" line'):
        read_pts(pts, 2)


def test_wflw_wrong_field_count(tmp_path):
    root = str(tmp_path)
    build_wflw(root)
    list_file = wflw_list_file(root, 'test')
    replace_line(list_file, 1,
                 lambda t: ' '.join(t.split()[1:]))  # 206 fields on line 2
    with raises_naming(list_file, 2, 'found 206 fields.*expected 207'):
        build_dataset(
            type='SHTWFLWDataset', data_root=root, raw_split='test',
            data_prefix=dict(img='WFLW_images/'))
    with raises_naming('x.txt', 5, 'found 3 fields'):
        parse_wflw_line('1 2 a.jpg', 'x.txt', 5)


def test_wflw_zero_size_box_and_missing_image(tmp_path):
    root = str(tmp_path)
    build_wflw(root)
    list_file = wflw_list_file(root, 'train')

    def zero_width(line):
        fields = line.split()
        fields[198] = fields[196]  # x_max = x_min
        return ' '.join(fields)

    replace_line(list_file, 2, zero_width)  # line 3
    cfg = dict(type='SHTWFLWDataset', data_root=root, raw_split='train',
               data_prefix=dict(img='WFLW_images/'))
    with raises_naming(list_file, 3, 'box of zero size'):
        build_dataset(**cfg)
    os.remove(osp.join(root, 'WFLW_images', '0--Parade', '0_Parade_1.jpg'))
    with raises_naming(list_file, 1, '0_Parade_1.jpg: image not found'):
        build_dataset(**cfg)


def test_missing_and_unreadable_image_300w(face300w):
    img = osp.join(face300w, 'ibug', 'image_092 _01.jpg')
    os.remove(img)
    pts = osp.join(face300w, 'ibug', 'image_092 _01.pts')
    with raises_naming(pts, match='no image beside'):
        build_dataset(
            type='SHTFace300WDataset', data_root=face300w,
            raw_split='challenging')
    with open(img, 'wb') as f:
        f.write(b'this is not a JPEG')
    with raises_naming(img, match='unreadable image'):
        build_dataset(
            type='SHTFace300WDataset', data_root=face300w,
            raw_split='challenging')
    # the loading transform names the file too
    with raises_naming(img, match='unreadable image'):
        TRANSFORMS.build(dict(type='LoadFaceImage'))(dict(img_path=img))
    with raises_naming(img + '.gone', match='image not found'):
        TRANSFORMS.build(dict(type='LoadFaceImage'))(
            dict(img_path=img + '.gone'))


def test_json_missing_image_and_zero_box(face300w, tmp_path):
    coco = dict(
        images=[dict(id=0, file_name='afw/nope.jpg', width=9, height=9),
                dict(id=1, file_name='afw/1051618982_1.jpg', width=9,
                     height=9)],
        annotations=[
            dict(id=0, image_id=0, keypoints=[1, 1, 1] * 68,
                 num_keypoints=68, center=[5, 5], scale=0.1, iscrowd=0),
            dict(id=1, image_id=1, keypoints=[1, 1, 1] * 68,
                 num_keypoints=68, center=[5, 5], scale=0.0, iscrowd=0),
            dict(id=2, image_id=1, keypoints=[1, 1, 1] * 68,
                 num_keypoints=68, center=[5, 5], scale=0.1, iscrowd=0)
        ])
    path = str(tmp_path / 'bad.json')
    with open(path, 'w') as f:
        json.dump(coco, f)
    cfg = dict(type='SHTFace300WDataset', data_root=face300w, ann_file=path)
    with raises_naming(path, match='annotation 0.*nope.jpg: image not found'):
        build_dataset(**cfg)
    ds = build_dataset(**cfg, skip_invalid=True)
    assert len(ds) == 1 and len(ds.skipped) == 2
    assert 'box of zero size' in str(ds.skipped[1])
    # nothing left after skipping: an error naming the json, not 0 faces
    coco['annotations'].pop()
    with open(path, 'w') as f:
        json.dump(coco, f)
    with raises_naming(path, match=r'no faces left \(2 skipped'):
        build_dataset(**cfg, skip_invalid=True)


def test_celeba_zero_size_box_and_bad_rows(tmp_path):
    root = str(tmp_path)
    build_celeba(root)
    bbox_file = osp.join(root, 'list_bbox_celeba.txt')
    replace_line(bbox_file, 4, '000003.jpg 10 10 0 40')  # line 5: width 0
    with raises_naming(bbox_file, 5, 'box of zero size'):
        build_dataset(
            type='SHTCelebADataset', data_root=root, raw_split='all',
            aligned=False, box_source='bbox', labeled=False)
    landmarks = osp.join(root, 'list_landmarks_align_celeba.txt')
    replace_line(landmarks, 3, lambda t: t + ' 99')  # line 4: 12 fields
    with raises_naming(landmarks, 4, 'found 12 fields'):
        build_dataset(type='SHTCelebADataset', data_root=root,
                      raw_split='all')


def test_300vw_bad_video_and_frame(tmp_path):
    root = str(tmp_path)
    build_300vw(root)
    video = osp.join(root, '114', 'vid.avi')
    with open(video, 'wb') as f:
        f.write(b'not a video')
    with raises_naming(video, match='cannot open'):
        build_dataset(type='SHTFace300VWDataset', data_root=root,
                      raw_split='test')
    extra = osp.join(root, '001', 'annot', '000009.pts')
    write_pts(extra, random_landmarks(68, (10, 10, 50, 50), 0))
    with raises_naming(extra, match='frame 9 but .* has 6 frames'):
        build_dataset(type='SHTFace300VWDataset', data_root=root,
                      raw_split='train')


def test_skip_invalid_logs_count_and_files(face300w):
    bad_pts = ibug_pts(face300w)
    write_pts(bad_pts, random_landmarks(60, (10, 10, 50, 50), 0))
    missing = osp.join(face300w, 'lfpw', 'testset', 'image_0002.png')
    os.remove(missing)
    with LogLines() as handler:
        ds = build_dataset(
            type='SHTFace300WDataset', data_root=face300w, raw_split='full',
            skip_invalid=True)
    assert len(ds) == 2  # 4 faces in full, 2 skipped
    skipped = sorted(err.path for err in ds.skipped)
    assert skipped == sorted([bad_pts, missing[:-4] + '.pts'])
    out = handler.text
    assert 'skipped 2 invalid sample(s)' in out
    assert bad_pts in out and 'image_0002.pts' in out
    names = {osp.basename(ds.get_data_info(i)['img_path']) for i in range(2)}
    assert names == {'2968560214_1.jpg', 'image_092 _01.jpg'}
    np.testing.assert_equal(
        [ds.get_data_info(i)['labeled'] for i in range(2)], [True, True])
