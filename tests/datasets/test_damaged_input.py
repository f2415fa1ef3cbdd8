"""Damaged input through the entry points a user calls (converter command
lines, dataset builds as ``tools/train.py`` does): NaN/inf coordinates,
damaged and truncated images and videos, empty lists and json files, NaN or
missing landmarks in a labeled json. Each gives an error naming the file
(and line or annotation); ``--skip-invalid`` / ``skip_invalid=True`` skips
it and logs the count. Converters rewrite outputs older than their
inputs."""
import json
import os
import os.path as osp
import re
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from helpers.face_data import (REPO_ROOT, LogLines, build_300vw, build_300w,
                               build_dataset, build_wflw, frame_image,
                               load_tool, replace_line, write_video)

from sht.datasets import FaceDataError

TOOLS = osp.join(REPO_ROOT, 'tools', 'dataset_converters')


def raises_naming(path, line=None, match=None):
    """A FaceDataError whose message names ``path`` (and ``path:line``)."""
    where = f'{path}:{line}' if line is not None else path
    pattern = re.escape(where) + ('.*' + match if match else '')
    return pytest.raises(FaceDataError, match=pattern)


def run_converter(name, *args):
    """Run a converter as a user does: ``python tools/...py ARGS``."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    proc = subprocess.run(
        [sys.executable, osp.join(TOOLS, name), *args], cwd=REPO_ROOT,
        env=env, capture_output=True, text=True, timeout=120)
    return proc.returncode, proc.stdout + proc.stderr


def convert(name, *args):
    """A converter's ``main`` with command-line arguments (in process)."""
    return load_tool(osp.join(TOOLS, name)).main(list(args))


def named_then_skipped(cfg, path, match):
    """Building ``cfg`` fails naming ``path``; with ``skip_invalid`` the
    one bad face is skipped and the count logged. Returns the dataset."""
    with raises_naming(path, match=match):
        build_dataset(**cfg)
    with LogLines() as log:
        ds = build_dataset(**cfg, skip_invalid=True)
    assert 'skipped 1 invalid sample(s)' in log.text
    return ds


@pytest.fixture
def face300w(tmp_path):
    root = str(tmp_path / '300w')
    build_300w(root)
    return root


@pytest.fixture
def wflw(tmp_path):
    root = str(tmp_path / 'wflw')
    build_wflw(root)
    ann = osp.join(root, 'WFLW_annotations')
    lists = osp.join(ann, 'list_98pt_rect_attr_train_test')
    return root, ann, osp.join(root, 'WFLW_images'), lists


# ------------------------------------------------------- nan / inf values
def test_nan_in_pts_named_and_skipped_by_converter(face300w, tmp_path):
    pts = osp.join(face300w, 'ibug', 'image_003_1.pts')
    replace_line(pts, 9, 'nan 12.5')  # line 10
    rc, out = run_converter('300w2coco.py', face300w, str(tmp_path / 'o'))
    assert rc == 1
    assert f'error: {pts}:10: non-finite value "nan"' in out
    assert 'Traceback' not in out
    rc, out = run_converter('300w2coco.py', face300w, str(tmp_path / 'o'),
                            '--skip-invalid')
    assert rc == 0, out
    assert '300W challenging: skipped 1 invalid sample(s)' in out
    assert f'{pts}:10' in out
    with open(tmp_path / 'o' / '300w_challenging.json') as f:
        assert len(json.load(f)['annotations']) == 1


@pytest.mark.parametrize('value', ['inf', '-inf', 'NaN'])
def test_inf_in_wflw_line_named_and_skipped(wflw, tmp_path, value):
    root, ann, images, lists = wflw
    test_list = osp.join(lists, 'list_98pt_rect_attr_test.txt')
    replace_line(test_list, 1,
                 lambda t: ' '.join([value] + t.split()[1:]))  # line 2
    with raises_naming(test_list, 2, f'non-finite value "{value}"'):
        convert('wflw2coco.py', ann, images, str(tmp_path / 'o'))
    with LogLines() as log:
        convert('wflw2coco.py', ann, images, str(tmp_path / 'o'),
                '--skip-invalid')
    assert 'WFLW test: skipped 1 invalid sample(s)' in log.text
    assert f'{test_list}:2' in log.text
    # the dataset reading the raw list names the same line
    with raises_naming(test_list, 2, 'non-finite'):
        build_dataset(type='SHTWFLWDataset', ann_file=test_list,
                      data_prefix=dict(img=images + '/'))


# ------------------------------------------------------- damaged images
def corrupt_middle(path, count=200):
    with open(path, 'rb') as f:
        data = bytearray(f.read())
    mid = len(data) // 2
    data[mid:mid + count] = bytes(count)
    with open(path, 'wb') as f:
        f.write(bytes(data))


def truncate(path, fraction=0.5):
    with open(path, 'rb') as f:
        data = f.read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * fraction)])


@pytest.mark.parametrize('damage, problem', [
    (corrupt_middle, 'damaged JPEG data: Corrupt JPEG data'),
    (truncate, 'truncated JPEG'),
])
def test_damaged_jpeg_named_by_converter_and_dataset(face300w, tmp_path,
                                                     damage, problem):
    out = str(tmp_path / 'o')
    convert('300w2coco.py', face300w, out)  # intact: converts
    img = osp.join(face300w, 'ibug', 'image_092 _01.jpg')
    before = cv2.imread(img)
    damage(img)
    if damage is corrupt_middle:  # decodes, but with wrong pixels
        assert cv2.imread(img).shape == before.shape
    with raises_naming(img, match=problem):
        convert('300w2coco.py', face300w, out)
    json_file = osp.join(out, '300w_challenging.json')
    cfg = dict(type='SHTFace300WDataset', data_root=face300w,
               ann_file=json_file)
    ds = named_then_skipped(
        cfg, json_file, f'annotation 1: {re.escape(img)}: {problem}')
    assert len(ds) == 1
    with raises_naming(img, match=problem):
        build_dataset(type='SHTFace300WDataset', data_root=face300w,
                      raw_split='challenging')
    # header-only checking (check_images=False) is the opt-out
    assert len(build_dataset(**cfg, check_images=False)) == 2


# ------------------------------------------------------- damaged videos
@pytest.mark.parametrize('video_id, fourcc, problem', [
    ('001', 'MJPG', 'frame 4: truncated JPEG'),  # cut in frame 5
    ('114', 'MJPG', 'frame 0: truncated JPEG'),  # its only frame
    ('001', 'XVID', 'reports 6 frames but 4 decode'),
])
def test_truncated_video_named(tmp_path, video_id, fourcc, problem):
    root = str(tmp_path / 'raw')
    build_300vw(root)
    video = osp.join(root, video_id, 'vid.avi')
    if fourcc != 'MJPG':
        write_video(video, [frame_image(i) for i in range(6)],
                    fourcc=fourcc)
    truncate(video, 0.8 if fourcc != 'MJPG' else 0.9)
    assert cv2.VideoCapture(video).read()[0]  # OpenCV still decodes
    rc, out = run_converter('300vw2coco.py', root, str(tmp_path / 'o'))
    assert rc == 1 and f'error: {video}: ' in out and problem in out, out
    split = 'train' if video_id == '001' else 'test'
    with raises_naming(video, match=problem):
        build_dataset(type='SHTFace300VWDataset', data_root=root,
                      raw_split=split)


def test_replaced_video_is_extracted_again(tmp_path):
    root, out = str(tmp_path / 'raw'), str(tmp_path / 'o')
    build_300vw(root)
    convert('300vw2coco.py', root, out, '--ext', 'png')
    frame = osp.join(out, '001', 'imgs', '000002.png')
    old = cv2.imread(frame)
    video = osp.join(root, '001', 'vid.avi')
    write_video(video, [frame_image(5 - i) for i in range(6)])
    later = time.time() + 5
    os.utime(video, (later, later))
    convert('300vw2coco.py', root, out, '--ext', 'png')
    new = cv2.imread(frame)
    expected = cv2.VideoCapture(video)
    expected.read()
    ok, second = expected.read()
    assert ok and not np.array_equal(old, new)
    np.testing.assert_array_equal(new, second)


# ------------------------------------------------------- empty inputs
def test_empty_wflw_list_fails_naming_it(wflw, tmp_path):
    root, ann, images, lists = wflw
    train_list = osp.join(lists, 'list_98pt_rect_attr_train.txt')
    open(train_list, 'w').close()
    rc, out = run_converter('wflw2coco.py', ann, images, str(tmp_path / 'o'))
    assert rc == 1 and f'error: {train_list}: no faces' in out, out
    assert not osp.exists(tmp_path / 'o' / 'wflw_train.json')
    with raises_naming(train_list, match='no faces'):
        build_dataset(type='SHTWFLWDataset', ann_file=train_list,
                      data_prefix=dict(img=images + '/'))


def test_empty_and_broken_json_named(face300w, tmp_path):
    path = str(tmp_path / 'empty.json')
    open(path, 'w').close()
    with raises_naming(path, match='empty file'):
        build_dataset(type='SHTFace300WDataset', data_root=face300w,
                      ann_file=path)
    with open(path, 'w') as f:
        f.write('{"images": [')
    with raises_naming(path, match='not valid json'):
        build_dataset(type='SHTFace300WDataset', data_root=face300w,
                      ann_file=path)
    with open(path, 'w') as f:
        json.dump(dict(images=[], annotations=[]), f)
    with raises_naming(path, match='no faces'):
        build_dataset(type='SHTFace300WDataset', data_root=face300w,
                      ann_file=path)


# ------------------------------------------------------- labeled json
@pytest.fixture
def challenging_json(face300w, tmp_path):
    out = str(tmp_path / 'o')
    convert('300w2coco.py', face300w, out)
    path = osp.join(out, '300w_challenging.json')
    with open(path) as f:
        return face300w, path, json.load(f)


def test_nan_keypoint_in_json_named_and_skipped(challenging_json):
    root, path, coco = challenging_json
    coco['annotations'][1]['keypoints'][3 * 7] = float('nan')
    with open(path, 'w') as f:
        json.dump(coco, f)  # writes NaN, as json.dump allows
    cfg = dict(type='SHTFace300WDataset', data_root=root, ann_file=path)
    ds = named_then_skipped(
        cfg, path, r'annotation 1 \(.*\): keypoint 7 is \[nan, .*expected '
        'finite')
    assert len(ds) == 1
    # an unlabeled set ignores the landmarks
    assert len(build_dataset(**cfg, labeled=False)) == 2


def test_zero_num_keypoints_in_labeled_set_named(challenging_json):
    root, path, coco = challenging_json
    coco['annotations'][0]['num_keypoints'] = 0
    with open(path, 'w') as f:
        json.dump(coco, f)
    cfg = dict(type='SHTFace300WDataset', data_root=root, ann_file=path)
    ds = named_then_skipped(
        cfg, path, 'annotation 0 .*num_keypoints 0 in a labeled set.*'
        'labeled=False')
    assert len(ds) == 1
    ds = build_dataset(**cfg, labeled=False)
    assert [ds.get_data_info(i)['labeled'] for i in range(2)] == [False] * 2


@pytest.mark.parametrize('damage', [corrupt_middle, truncate])
def test_damaged_png_named(face300w, damage):
    img = osp.join(face300w, 'lfpw', 'testset', 'image_0002.png')
    damage(img)
    with raises_naming(img, match='unreadable image'):
        build_dataset(type='SHTFace300WDataset', data_root=face300w,
                      raw_split='common')
