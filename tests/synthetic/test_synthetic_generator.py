"""SyntheticFaceGenerator: determinism, ranges, features under landmarks."""
import cv2
import numpy as np
import pytest

from sht.synthetic import (SyntheticFaceGenerator, contact_sheet,
                           draw_landmarks)

CLEAN = dict(makeup_prob=0.0, illumination_prob=0.0, occlusion_prob=0.0,
             blur_prob=0.0)


@pytest.fixture(scope='module')
def clean_faces():
    """Faces without occluders, blur, make-up or harsh light, eyes open."""
    gen = SyntheticFaceGenerator(11, **CLEAN)
    faces = [gen.sample() for _ in range(30)]
    return [f for f in faces if np.linalg.norm(f[1][37] - f[1][41]) > 3]


def _patch(img: np.ndarray, p: np.ndarray, r: int = 1) -> np.ndarray:
    """Mean BGR colour of the (2r+1)^2 patch around point p."""
    x, y = int(round(p[0])), int(round(p[1]))
    return img[y - r:y + r + 1, x - r:x + r + 1].reshape(-1, 3).mean(0)


def _skin(img: np.ndarray, lm: np.ndarray) -> np.ndarray:
    """Skin colour between the brows (above the nose bridge)."""
    return _patch(img, lm[27] + 0.3 * (lm[27] - lm[30]))


def _offsets(n: int, radius: float, seed: int = 0) -> np.ndarray:
    ang = np.random.default_rng(seed).uniform(0, 2 * np.pi, n)
    return radius * np.stack([np.cos(ang), np.sin(ang)], axis=1)


def test_same_seed_same_faces_other_seed_other_faces():
    a, b, c = (SyntheticFaceGenerator(s) for s in (7, 7, 8))
    for _ in range(3):
        (ia, la, ma), (ib, lb, mb) = a.sample(), b.sample()
        ic, lc, _ = c.sample()
        assert np.array_equal(ia, ib) and np.array_equal(la, lb)
        assert ma['pose'] == mb['pose'] and ma['identity'] == mb['identity']
        assert not np.array_equal(la, lc) and not np.array_equal(ia, ic)


@pytest.mark.parametrize('size', [256, 96])
def test_image_and_landmark_ranges(size):
    gen = SyntheticFaceGenerator(1, image_size=size)
    for _ in range(6):
        image, lm, meta = gen.sample()
        assert image.shape == (size, size, 3) and image.dtype == np.uint8
        assert lm.shape == (68, 2) and lm.dtype == np.float32
        assert np.isfinite(lm).all()
        assert lm.min() >= 0 and lm.max() <= size - 1
        assert set(meta) >= {'identity', 'expression', 'pose', 'attributes',
                             'pupils', 'brow_lower', 'face_box'}
        assert set(meta['attributes']) == {'pose', 'expression',
                                           'illumination', 'makeup',
                                           'occlusion', 'blur'}
        box = meta['face_box']
        assert (box[:2] <= lm.min(0) + 1e-3).all()
        assert (box[2:] >= lm.max(0) - 1e-3).all()
        # Faces are big enough to hold a landmark detector's attention.
        assert lm[:, 0].max() - lm[:, 0].min() > 0.2 * size


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match='image_size'):
        SyntheticFaceGenerator(0, image_size=8)
    with pytest.raises(ValueError, match='num_frames'):
        SyntheticFaceGenerator(0).sample_video(0)


def test_pupils_are_dark_and_off_pupil_points_are_not(clean_faces):
    assert len(clean_faces) >= 20
    on, off = [], []
    for k, (img, lm, meta) in enumerate(clean_faces):
        skin = _skin(img, lm).mean()
        on += [_patch(img, p).mean() < 0.75 * skin for p in meta['pupils']]
        for p in meta['pupils'] + _offsets(2, 12.0, seed=k):
            off.append(_patch(img, p).mean() < 0.75 * skin)
    assert np.mean(on) >= 0.95
    assert np.mean(off) <= 0.5


def test_eye_corners_bound_the_eye(clean_faces):
    """Corners differ from skin; the eye lies between them, skin outside."""
    corner_ok, inside, outside = [], [], []
    for img, lm, _ in clean_faces:
        skin = _skin(img, lm)
        for a, b in ((36, 39), (42, 45)):
            for i in (a, b):
                corner_ok.append(np.linalg.norm(_patch(img, lm[i]) - skin)
                                 > 25)
            seg = lm[b] - lm[a]
            inside.append(np.mean([
                np.linalg.norm(_patch(img, lm[a] + t * seg, 0) - skin)
                for t in np.linspace(0.2, 0.8, 7)
            ]))
            outside.append(np.mean([
                np.linalg.norm(_patch(img, lm[a] + t * seg, 0) - skin)
                for t in (-0.45, -0.35, 1.35, 1.45)
            ]))
    assert np.mean(corner_ok) >= 0.9
    assert np.median(np.array(inside) / np.array(outside)) > 2.0


def test_lips_are_redder_than_skin_and_philtrum_is_not(clean_faces):
    def red(c):
        return c[2] / max(c[1], 1.0)

    lips, philtrum = [], []
    for img, lm, _ in clean_faces:
        skin = red(_skin(img, lm))
        lips.append(min(red(_patch(img, (lm[51] + lm[62]) / 2)),
                        red(_patch(img, (lm[57] + lm[66]) / 2))) / skin)
        philtrum.append(red(_patch(img, (lm[33] + lm[51]) / 2)) / skin)
    assert np.mean(np.array(lips) > 1.05) >= 0.9
    assert np.median(lips) > 1.3
    assert np.median(philtrum) < 1.1


def test_jaw_landmarks_sit_on_the_face_outline(clean_faces):
    """The image gradient peaks at the jaw points, not just inside them."""
    ratios, shifted = [], []
    for img, lm, _ in clean_faces:
        grey = cv2.GaussianBlur(
            cv2.cvtColor(img, cv2.COLOR_BGR2GRAY).astype(np.float32), (0, 0),
            1.0)
        mag = np.hypot(cv2.Sobel(grey, cv2.CV_32F, 1, 0),
                       cv2.Sobel(grey, cv2.CV_32F, 0, 1))
        centre = lm.mean(0)
        width = lm[:, 0].max() - lm[:, 0].min()

        def at(p):
            return mag[int(round(p[1])), int(round(p[0]))]

        def inward(p):
            d = centre - p
            return p + 0.12 * width * d / np.linalg.norm(d)

        jaw = lm[4:13]
        ratios.append(np.median([at(p) for p in jaw]) /
                      (np.median([at(inward(p)) for p in jaw]) + 1e-3))
        moved = jaw + _offsets(len(jaw), 6.0, seed=len(ratios))
        shifted.append(np.median([at(p) for p in moved]) /
                       (np.median([at(inward(p)) for p in moved]) + 1e-3))
    assert np.mean(np.array(ratios) > 1.5) >= 0.9
    assert np.median(ratios) > 2 * np.median(shifted)


def test_brows_are_darker_than_the_forehead(clean_faces):
    darker = []
    for img, lm, meta in clean_faces:
        skin = _skin(img, lm).mean()
        band = (lm[19] + meta['brow_lower'][0][2]) / 2
        darker.append(_patch(img, band).mean() < skin - 8)
    assert np.mean(darker) >= 0.9


def test_video_is_smooth_and_keeps_the_person():
    gen = SyntheticFaceGenerator(5)
    frames = gen.sample_video(12)
    assert len(frames) == 12
    assert [m['frame_index'] for _, _, m in frames] == list(range(12))
    ids = [m['identity'] for _, _, m in frames]
    assert all(i == ids[0] for i in ids)
    lms = np.stack([f[1] for f in frames])
    steps = np.abs(np.diff(lms, axis=0)).max(axis=(1, 2))
    assert steps.max() < 4.0
    assert np.abs(lms[-1] - lms[0]).max() > 0.05  # it does move
    # The background stays put (only sensor noise changes).
    corner = np.stack([f[0][:12, :12].astype(float) for f in frames])
    assert np.abs(corner - corner[0]).mean() < 8
    other = [SyntheticFaceGenerator(s).sample()[1] for s in (1, 2)]
    assert np.abs(other[0] - other[1]).mean() > 5 * steps.max()
    single = SyntheticFaceGenerator(5).sample_video(1)
    assert len(single) == 1 and single[0][0].shape == (256, 256, 3)


def test_contact_sheet_and_dots():
    tiles = [np.full((8, 10, 3), v, np.uint8) for v in (10, 20, 30)]
    sheet = contact_sheet(tiles, cols=2)
    assert sheet.shape == (16, 20, 3)
    assert sheet[0, 0, 0] == 10 and sheet[0, 10, 0] == 20
    assert sheet[8, 0, 0] == 30 and sheet[8, 10, 0] == 0
    dots = draw_landmarks(np.zeros((20, 20), np.uint8), np.array([[5.0, 7.0]]))
    assert dots.shape == (20, 20, 3)
    assert tuple(dots[7, 5]) == (0, 255, 0) and dots[15, 15].sum() == 0
    with pytest.raises(ValueError, match='contact_sheet'):
        contact_sheet([])
