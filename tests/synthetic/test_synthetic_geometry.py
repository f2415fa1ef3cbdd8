"""Curves, the 3D shape model, projection and the 98/5-point schemes."""
import numpy as np
import pytest

from sht.synthetic.curves import (catmull_rom_chain, catmull_rom_midpoints,
                                  catmull_rom_segment, points_along_polyline)
from sht.synthetic.landmark_schemes import (feature_curves,
                                            landmarks_68_to_5,
                                            landmarks_68_to_98)
from sht.synthetic.projection import (HEAD_PIVOT, HeadPose, frontal_depth,
                                      march_contour, project_face,
                                      project_points, rotation_matrix)
from sht.synthetic.shape_model import (MIRROR_68, ExpressionParams,
                                       IdentityParams, build_face_3d)

FLIP = np.array([-1.0, 1.0, 1.0])


# ----------------------------------------------------------------- curves
def test_chain_passes_through_control_points():
    rng = np.random.default_rng(0)
    pts = np.cumsum(rng.uniform(1, 5, (6, 2)), axis=0)
    dense = catmull_rom_chain(pts, 8)
    assert dense.shape == (8 * 5 + 1, 2)
    np.testing.assert_allclose(dense[::8], pts, atol=1e-9)
    closed = catmull_rom_chain(pts, 4, closed=True)
    assert closed.shape == (24, 2)
    np.testing.assert_allclose(closed[::4], pts, atol=1e-9)


def test_uniform_segment_matches_the_catmull_rom_matrix():
    rng = np.random.default_rng(1)
    p0, p1, p2, p3 = rng.normal(size=(4, 2))
    ts = np.linspace(0, 1, 7)
    got = catmull_rom_segment(p0, p1, p2, p3, ts, alpha=0.0)
    t = ts[:, None]
    expected = 0.5 * (2 * p1 + (p2 - p0) * t +
                      (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 +
                      (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_chain_of_evenly_spaced_collinear_points_is_the_line():
    pts = np.stack([np.arange(5) * 2.0, np.arange(5) * 1.0], axis=1)
    dense = catmull_rom_chain(pts, 4)
    expected = np.stack([np.arange(17) * 0.5, np.arange(17) * 0.25], axis=1)
    np.testing.assert_allclose(dense, expected, atol=1e-6)
    np.testing.assert_allclose(
        catmull_rom_midpoints(pts), (pts[:-1] + pts[1:]) / 2, atol=1e-6)


def test_points_along_polyline():
    poly = np.array([[0.0, 0.0], [4.0, 0.0], [4.0, 4.0]])
    got = points_along_polyline(poly, [0, 0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(
        got, [[0, 0], [2, 0], [4, 0], [4, 2], [4, 4]], atol=1e-12)


def test_chain_rejects_bad_input():
    with pytest.raises(ValueError, match='catmull_rom_chain'):
        catmull_rom_chain(np.zeros((1, 2)))


# ------------------------------------------------------------ shape model
def test_rotation_matrix_axes():
    for angles in [(10, -20, 30), (0, 0, 0), (-45, 25, -35)]:
        r = rotation_matrix(*angles)
        np.testing.assert_allclose(r @ r.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(r) == pytest.approx(1.0)
    nose = np.array([0.0, 0.0, 1.0])
    np.testing.assert_allclose(rotation_matrix(90, 0, 0) @ nose, [1, 0, 0],
                               atol=1e-12)  # yaw > 0: nose to image right
    np.testing.assert_allclose(rotation_matrix(0, 90, 0) @ nose, [0, -1, 0],
                               atol=1e-12)  # pitch > 0: face up
    np.testing.assert_allclose(
        rotation_matrix(0, 0, 90) @ np.array([1.0, 0, 0]), [0, 1, 0],
        atol=1e-12)  # roll > 0: clockwise on screen (y down)


def test_project_points_matches_pinhole_formula():
    rng = np.random.default_rng(2)
    pts = rng.normal(size=(10, 3))
    pose = HeadPose(yaw=0, pitch=0, roll=0, scale=50, center_x=100,
                    center_y=120)
    xy, local = project_points(pts, pose, camera_distance=8.0)
    rel = pts - HEAD_PIVOT
    factor = 50 * 8.0 / (8.0 - rel[:, 2])
    np.testing.assert_allclose(xy[:, 0], 100 + rel[:, 0] * factor)
    np.testing.assert_allclose(xy[:, 1], 120 + rel[:, 1] * factor)
    np.testing.assert_allclose(local, factor)


def test_face_is_mirror_symmetric_and_ordered():
    rng = np.random.default_rng(3)
    for _ in range(5):
        identity = IdentityParams.sample(rng)
        expression = ExpressionParams.sample(rng)
        face = build_face_3d(identity, expression)
        lm = face['landmarks']
        np.testing.assert_allclose(lm[MIRROR_68] * FLIP, lm, atol=1e-9)
        np.testing.assert_allclose((face['brow_lower'][0] * FLIP)[::-1],
                                   face['brow_lower'][1], atol=1e-9)
        assert lm[0, 0] < 0 < lm[16, 0]  # jaw starts on the image left
        assert lm[8, 1] == lm[:17, 1].max()  # chin is the lowest jaw point
        assert lm[36, 0] < lm[39, 0] < lm[42, 0] < lm[45, 0]
        assert lm[30, 2] == lm[:, 2].max()  # nose tip is closest
        assert lm[17:27, 1].max() < lm[36:48, 1].min()  # brows above eyes
        assert lm[48, 0] < lm[54, 0]
        assert (face['brow_lower'][0, :, 1] > lm[[21, 20, 19, 18], 1]).all()


def test_expression_modes_move_the_right_points():
    identity = IdentityParams()
    neutral = build_face_3d(identity, ExpressionParams())['landmarks']
    opened = build_face_3d(identity,
                           ExpressionParams(mouth_open=1.0))['landmarks']
    closed = build_face_3d(identity,
                           ExpressionParams(eye_closure=1.0))['landmarks']
    smile = build_face_3d(identity, ExpressionParams(smile=1.0))['landmarks']
    gap = lambda lm: lm[66, 1] - lm[62, 1]  # noqa: E731
    assert gap(opened) > gap(neutral) + 0.2
    assert opened[8, 1] > neutral[8, 1] + 0.1  # the chin drops
    lid = lambda lm: lm[41, 1] - lm[37, 1]  # noqa: E731
    assert lid(closed) < 0.1 * lid(neutral)
    assert smile[48, 1] < neutral[48, 1] - 0.05  # corners go up
    assert smile[54, 0] - smile[48, 0] > neutral[54, 0] - neutral[48, 0]


def test_march_contour_finds_the_silhouette():
    face = build_face_3d(IdentityParams(), ExpressionParams())
    jaw = face['landmarks'][:17]
    np.testing.assert_allclose(march_contour(jaw, 0.0), jaw, atol=1e-9)
    for yaw in (-35.0, 20.0):
        got = march_contour(jaw, yaw)
        psi = np.deg2rad(yaw)
        phis = np.linspace(-0.25, np.pi / 2, 20001)
        for k in (1, 4, 12, 15):
            x, y, z = jaw[k]
            b = frontal_depth(y) - z
            side = np.sign(x)
            xs = side * abs(x) * np.cos(phis)
            zs = z + b * np.sin(phis)
            best = np.argmax(side * (xs * np.cos(psi) + zs * np.sin(psi)))
            np.testing.assert_allclose(got[k], [xs[best], y, zs[best]],
                                       atol=2e-3)


def test_project_face_keys_and_shapes():
    face = build_face_3d(IdentityParams(), ExpressionParams())
    pts = project_face(face, HeadPose(yaw=15, pitch=5, roll=10))
    assert pts['landmarks'].shape == (68, 2)
    assert pts['brow_lower'].shape == (2, 4, 2)
    assert pts['pupils'].shape == (2, 2)
    assert pts['iris_radius'].shape == (2, )
    assert np.isfinite(pts['landmarks']).all()


# ---------------------------------------------------------------- schemes
def _frontal_face():
    face = build_face_3d(IdentityParams(), ExpressionParams(mouth_open=0.3))
    pts = project_face(face, HeadPose(scale=60, center_x=128, center_y=110))
    return pts['landmarks'], pts['pupils'], pts['brow_lower']


def test_68_to_98_mapping():
    lm, pupils, brow_lower = _frontal_face()
    out = landmarks_68_to_98(lm, pupils, brow_lower)
    assert out.shape == (98, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out[0:33:2], lm[0:17], atol=1e-4)
    np.testing.assert_allclose(out[33:38], lm[17:22], atol=1e-4)
    np.testing.assert_allclose(out[42:47], lm[22:27], atol=1e-4)
    np.testing.assert_allclose(out[38:42], brow_lower[0], atol=1e-4)
    np.testing.assert_allclose(out[47:51], brow_lower[1], atol=1e-4)
    np.testing.assert_allclose(out[51:60], lm[27:36], atol=1e-4)
    for wflw, ibug in ((60, 36), (64, 39), (68, 42), (72, 45)):
        np.testing.assert_allclose(out[wflw], lm[ibug], atol=1e-4)
    np.testing.assert_allclose(out[76:96], lm[48:68], atol=1e-4)
    np.testing.assert_allclose(out[96:98], pupils, atol=1e-4)
    # WFLW order: brow lower points sit under upper points 37..34 / 45..42.
    for low, up in zip(range(38, 42), range(37, 33, -1)):
        assert out[low, 1] > out[up, 1]
        assert abs(out[low, 0] - out[up, 0]) < 1.0
    for low, up in zip(range(47, 51), range(45, 41, -1)):
        assert out[low, 1] > out[up, 1]
        assert abs(out[low, 0] - out[up, 0]) < 1.0
    # Eye points: upper lid above lower lid, x between the corners.
    for start in (60, 68):
        ups, lows = out[start + 1:start + 4], out[start + 5:start + 8]
        assert (ups[:, 1] < lows[::-1, 1]).all()
        lo, hi = sorted([out[start, 0], out[start + 4, 0]])
        assert ((ups[:, 0] > lo) & (ups[:, 0] < hi)).all()
        assert np.all(np.diff(ups[:, 0]) > 0)


def test_98_points_lie_on_the_drawn_curves():
    lm, pupils, brow_lower = _frontal_face()
    out = landmarks_68_to_98(lm, pupils, brow_lower).astype(np.float64)
    curves = feature_curves(lm, brow_lower)

    def dist(p, poly):
        a, b = poly[:-1], poly[1:]
        t = np.clip(((p - a) * (b - a)).sum(1) /
                    np.maximum(((b - a)**2).sum(1), 1e-12), 0, 1)
        return np.min(np.linalg.norm(a + t[:, None] * (b - a) - p, axis=1))

    for i in range(1, 33, 2):
        assert dist(out[i], curves['jaw']) < 1e-3
    for idx, name in ((range(61, 64), 'eye_left_upper'),
                      (range(65, 68), 'eye_left_lower'),
                      (range(69, 72), 'eye_right_upper'),
                      (range(73, 76), 'eye_right_lower')):
        for i in idx:
            assert dist(out[i], curves[name]) < 1e-3


def test_68_to_5_mapping():
    lm, pupils, _ = _frontal_face()
    out = landmarks_68_to_5(lm, pupils)
    np.testing.assert_allclose(
        out, np.stack([pupils[0], pupils[1], lm[30], lm[48], lm[54]]),
        atol=1e-4)
    assert out[0, 0] < out[1, 0] and out[3, 0] < out[4, 0]
