"""Per-image NME and its five normalisers against independent computations."""
import numpy as np
import pytest
from mmpose.evaluation.functional import keypoint_nme

from sht.evaluation.functional import (box_diagonal, box_size, face_nme,
                                       face_width, interocular, interpupil)


@pytest.fixture
def faces():
    rng = np.random.default_rng(0)
    gt = rng.uniform(20, 230, size=(7, 68, 2))
    pred = gt + rng.normal(0, 3, size=gt.shape)
    return pred, gt


def test_face_nme_matches_mmpose_keypoint_nme_when_all_visible(faces):
    """With every point visible, mmpose's pooled NME of a single image is
    the per-image NME; over images with equal K it is their mean."""
    pred, gt = faces
    norm = interocular(gt, 36, 45)
    mask = np.ones(gt.shape[:2], dtype=bool)
    ours = face_nme(pred, gt, norm)
    for i in range(len(gt)):
        ref = keypoint_nme(pred[i:i + 1], gt[i:i + 1], mask[i:i + 1],
                           np.tile(norm[i:i + 1, None], (1, 2)))
        assert ours[i] == pytest.approx(ref, rel=1e-5)
    pooled = keypoint_nme(pred, gt, mask, np.tile(norm[:, None], (1, 2)))
    assert ours.mean() == pytest.approx(pooled, rel=1e-5)


def test_face_nme_hand_computed_with_invisible_points():
    gt = np.zeros((2, 3, 2))
    pred = np.array([[[3., 4.], [0., 1.], [100., 0.]],
                     [[0., 2.], [0., 0.], [0., 0.]]])
    visible = np.array([[1, 1, 0], [1, 1, 1]])
    nme = face_nme(pred, gt, np.array([5.0, 2.0]), visible)
    # image 0: (5 + 1) / 2 / 5; image 1: (2 + 0 + 0) / 3 / 2
    np.testing.assert_allclose(nme, [0.6, 1 / 3])


def test_face_nme_image_without_visible_points_is_nan():
    gt = np.zeros((2, 2, 2))
    nme = face_nme(gt + 1, gt, np.ones(2), np.array([[0, 0], [1, 1]]))
    assert np.isnan(nme[0]) and nme[1] == pytest.approx(np.sqrt(2))


def test_normalizers_against_hand_computation():
    gt = np.zeros((1, 68, 2))
    gt[0, 36] = [10, 50]
    gt[0, 45] = [70, 50]
    gt[0, 36:42] = [[10, 50], [14, 48], [18, 48], [22, 50], [18, 52],
                    [14, 52]]  # centre (16, 50)
    gt[0, 42:48] = [[50, 50], [54, 48], [58, 48], [62, 50], [58, 52],
                    [54, 52]]  # centre (56, 50)
    gt[0, 45] = [70, 52]
    gt[0, 0, 0] = -5.0  # leftmost point
    gt[0, 16, 0] = 95.0  # rightmost point
    assert interocular(gt, 36, 45)[0] == pytest.approx(np.hypot(60, 2))
    # interpupil uses the eye means, point 45 was moved after setting them
    right = gt[0, 42:48].mean(axis=0)
    assert interpupil(gt, range(36, 42), range(42, 48))[0] == pytest.approx(
        np.linalg.norm(right - [16, 50]))
    assert face_width(gt)[0] == pytest.approx(100.0)
    visible = np.ones((1, 68))
    visible[0, 0] = 0  # the leftmost point no longer counts
    assert face_width(gt, visible)[0] == pytest.approx(95.0)
    boxes = np.array([[10., 20., 40., 60.], [0., 0., 9., 4.]])
    np.testing.assert_allclose(box_size(boxes), [np.sqrt(1200), 6.0])
    np.testing.assert_allclose(box_diagonal(boxes), [50.0, np.sqrt(97)])


def test_bad_inputs_raise_clear_errors(faces):
    pred, gt = faces
    with pytest.raises(ValueError, match=r'\(N, K, 2\)'):
        face_nme(pred[..., :1], gt, np.ones(7))
    with pytest.raises(ValueError, match='positive'):
        face_nme(pred, gt, np.zeros(7))
    with pytest.raises(ValueError, match='shape'):
        face_nme(pred, gt, np.ones(6))
    with pytest.raises(ValueError, match='19-point'):
        interocular(gt[:, :19], 36, 45)
    with pytest.raises(ValueError, match='x2 >= x1'):
        box_size(np.array([[10., 0., 0., 10.]]))
    with pytest.raises(ValueError, match=r'\(N, 4\)'):
        box_diagonal(np.zeros((2, 3)))
