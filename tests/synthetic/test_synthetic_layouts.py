"""The raw-layout writers, checked with small independent parsers."""
from pathlib import Path

import cv2
import numpy as np
import pytest

from sht.synthetic import (layout_generator, write_300vw, write_300w,
                           write_celeba, write_wflw)


def parse_pts(path: Path) -> np.ndarray:
    """Independent .pts parser: header, braces, K lines, 1-based -> 0-based."""
    lines = [ln.strip() for ln in path.read_text().splitlines()]
    assert lines[0] == 'version: 1', path
    key, value = lines[1].split(':')
    assert key == 'n_points', path
    n = int(value)
    assert lines[2] == '{' and lines[3 + n] == '}', path
    assert all(ln == '' for ln in lines[4 + n:]), path
    pts = np.array([[float(v) for v in ln.split()] for ln in lines[3:3 + n]])
    assert pts.shape == (n, 2), path
    return pts - 1.0


def read_all_frames(path: Path) -> list:
    cap = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames


def test_300w_layout(tmp_path):
    records = write_300w(tmp_path, num_per_subset=2, seed=3, image_size=128)
    assert len(records) == 12
    for sub in ('afw', 'helen/trainset', 'helen/testset', 'lfpw/trainset',
                'lfpw/testset', 'ibug'):
        assert len(list((tmp_path / sub).glob('*.pts'))) == 2
    pts_files = sorted(tmp_path.rglob('*.pts'))
    assert len(pts_files) == 12
    for rec in records:
        image_path = tmp_path / rec['image']
        pts = parse_pts(tmp_path / rec['pts'])
        assert pts.shape == (68, 2)
        np.testing.assert_allclose(pts, rec['landmarks'], atol=1e-3)
        img = cv2.imread(str(image_path), cv2.IMREAD_UNCHANGED)
        assert img is not None and img.shape[:2] == (128, 128)
        assert (img.ndim == 2) == rec['grayscale']
        assert pts.min() >= 0 and pts.max() <= 127
        text = (tmp_path / rec['pts']).read_text()
        assert text.splitlines()[1] == 'n_points:  68'
    names = [Path(r['image']).name for r in records]
    assert any(' ' in n for n in names if n.startswith('image_'))
    assert all(n.endswith('.png') for r, n in zip(records, names)
               if r['subset'].startswith('lfpw'))
    assert any(r['grayscale'] for r in records)
    assert sum(n.endswith('.jpg') for n in names) == 8


def test_300w_is_deterministic(tmp_path):
    a = write_300w(tmp_path / 'a', 1, seed=9, image_size=64)
    b = write_300w(tmp_path / 'b', 1, seed=9, image_size=64)
    c = write_300w(tmp_path / 'c', 1, seed=10, image_size=64)
    for ra, rb in zip(a, b):
        assert (tmp_path / 'a' / ra['pts']).read_bytes() == (
            tmp_path / 'b' / rb['pts']).read_bytes()
        assert (tmp_path / 'a' / ra['image']).read_bytes() == (
            tmp_path / 'b' / rb['image']).read_bytes()
    assert not np.allclose(a[0]['landmarks'], c[0]['landmarks'])


def test_wflw_layout(tmp_path):
    records = write_wflw(tmp_path, num_per_split=3, seed=1, image_size=128)
    list_dir = tmp_path / 'WFLW_annotations' / \
        'list_98pt_rect_attr_train_test'
    by_image = {r['image']: r for r in records}
    for split in ('train', 'test'):
        lines = (list_dir / f'list_98pt_rect_attr_{split}.txt'
                 ).read_text().splitlines()
        assert len(lines) == 3
        for line in lines:
            fields = line.split(' ')
            assert len(fields) == 196 + 4 + 6 + 1
            pts = np.array(fields[:196], dtype=float).reshape(98, 2)
            box = np.array(fields[196:200], dtype=int)
            attrs = np.array(fields[200:206], dtype=int)
            rel = fields[206]
            assert set(attrs) <= {0, 1}
            assert (tmp_path / 'WFLW_images' / rel).is_file()
            rec = by_image[rel]
            assert rec['split'] == split
            np.testing.assert_allclose(pts, rec['landmarks98'], atol=1e-5)
            assert (box[:2] <= pts.min(0)).all()
            assert (box[2:] >= pts.max(0)).all()
            assert (box >= 0).all() and (box <= 127).all()
            # 68 -> 98 corners and pupils: NME_io uses 60 and 72.
            np.testing.assert_allclose(pts[60], rec['landmarks'][36],
                                       atol=1e-4)
            np.testing.assert_allclose(pts[72], rec['landmarks'][45],
                                       atol=1e-4)


@pytest.mark.parametrize('aligned', [False, True])
def test_celeba_layout(tmp_path, aligned):
    n = 10
    records = write_celeba(tmp_path, num_images=n, seed=2, image_size=128,
                           aligned=aligned)
    folder = 'img_align_celeba' if aligned else 'img_celeba'
    lm_name = ('list_landmarks_align_celeba.txt'
               if aligned else 'list_landmarks_celeba.txt')
    lm_lines = (tmp_path / lm_name).read_text().splitlines()
    assert int(lm_lines[0]) == n and len(lm_lines) == n + 2
    assert lm_lines[1].split() == [
        'lefteye_x', 'lefteye_y', 'righteye_x', 'righteye_y', 'nose_x',
        'nose_y', 'leftmouth_x', 'leftmouth_y', 'rightmouth_x',
        'rightmouth_y'
    ]
    box_lines = (tmp_path / 'list_bbox_celeba.txt').read_text().splitlines()
    assert int(box_lines[0]) == n and len(box_lines) == n + 2
    assert box_lines[1].split() == ['image_id', 'x_1', 'y_1', 'width',
                                    'height']
    parts = [ln.split() for ln in
             (tmp_path / 'list_eval_partition.txt').read_text().splitlines()]
    assert len(parts) == n
    assert [int(p[1]) for p in parts] == sorted(int(p[1]) for p in parts)
    assert {int(p[1]) for p in parts} == {0, 1, 2}
    for k, (lm_line, box_line) in enumerate(zip(lm_lines[2:],
                                                box_lines[2:])):
        name, *vals = lm_line.split()
        assert name == f'{k + 1:06d}.jpg' == box_line.split()[0]
        assert name == parts[k][0]
        pts = np.array(vals, dtype=int).reshape(5, 2)
        rec = records[k]
        assert np.abs(pts - rec['landmarks5']).max() <= 0.5 + 1e-6
        img = cv2.imread(str(tmp_path / folder / name))
        x, y, w, h = (int(v) for v in box_line.split()[1:])
        assert (pts[:, 0] >= x).all() and (pts[:, 0] < x + w).all()
        assert (pts[:, 1] >= y).all() and (pts[:, 1] < y + h).all()
        assert pts[0, 0] < pts[1, 0]  # left eye has the smaller x
        if aligned:
            assert img.shape == (218, 178, 3)
            np.testing.assert_array_equal(pts[:2], [[69, 111], [108, 111]])
        else:
            assert img.shape == (128, 128, 3)


def test_300vw_layout_and_video_frames(tmp_path):
    records = write_300vw(tmp_path, num_videos=2, frames_per_video=[1, 6],
                          seed=4, image_size=96, video_ids=['001', '114'])
    assert [r['video_id'] for r in records] == ['001', '114']
    expected = layout_generator(4, '300vw', 96)
    for rec, count in zip(records, (1, 6)):
        frames = read_all_frames(tmp_path / rec['video'])
        assert len(frames) == count == rec['num_frames']
        annots = sorted((tmp_path / rec['video_id'] / 'annot').glob('*.pts'))
        assert [p.name for p in annots] == [
            f'{i + 1:06d}.pts' for i in range(count)
        ]
        assert b'\r\n' in annots[0].read_bytes()  # as in the 300VW files
        truth = expected.sample_video(count)
        for i, path in enumerate(annots):
            np.testing.assert_allclose(parse_pts(path), rec['landmarks'][i],
                                       atol=1e-3)
            np.testing.assert_allclose(rec['landmarks'][i], truth[i][1],
                                       atol=1e-5)
            diff = np.abs(frames[i].astype(float) - truth[i][0]).mean()
            assert diff < 6.0  # Motion-JPEG is lossy, but close


def test_300vw_rejects_mismatched_counts(tmp_path):
    with pytest.raises(ValueError, match='write_300vw'):
        write_300vw(tmp_path, num_videos=2, frames_per_video=[1, 2, 3])
