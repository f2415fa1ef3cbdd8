"""Offline face detection: the Haar cascade of the opencv-python wheel
finds the face of a real photo (tests/assets/astronaut_face.jpg, public
domain), several faces per image, the whole-image fallback warns, and an
mmdet detector named by config works through mmdet's API."""
import os.path as osp
import warnings

import cv2
import numpy as np
import pytest

from sht.apis import (HaarFaceDetector, MMDetFaceDetector, WholeImageWarning,
                      build_face_detector, face_boxes)

PHOTO = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))), 'assets',
                 'astronaut_face.jpg')
# hand-marked on the photo: eye centres and the middle of the mouth
EYES = ((50, 45), (70, 45))
MOUTH = (60, 68)


def inside(box, point) -> bool:
    x1, y1, x2, y2 = box[:4]
    return x1 <= point[0] <= x2 and y1 <= point[1] <= y2


@pytest.mark.parametrize('gray', [False, True])
def test_haar_finds_the_face_of_a_real_photo(gray):
    img = cv2.imread(PHOTO)
    if gray:
        img = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    boxes = HaarFaceDetector()(img)
    assert boxes.shape == (1, 5)
    box = boxes[0]
    assert all(inside(box, p) for p in (*EYES, MOUTH))
    side = box[2] - box[0]
    assert side == pytest.approx(box[3] - box[1])  # square, as in training
    # about the face: eye distance 20 px, brows to chin ~45 px
    assert 35 < side < 65


def test_several_faces_in_one_image():
    img = cv2.imread(PHOTO)
    pair = np.hstack([img, cv2.flip(img, 1)])  # two faces, 120 px apart
    boxes = HaarFaceDetector()(pair)
    assert len(boxes) == 2
    centres = sorted((b[0] + b[2]) / 2 for b in boxes)
    assert centres[0] < 120 < centres[1]
    assert centres[1] - centres[0] == pytest.approx(120 - 2 * 60 + 120,
                                                     abs=6)


def test_no_face_warns_and_takes_the_whole_image():
    blank = np.full((40, 50, 3), 128, np.uint8)
    with pytest.warns(WholeImageWarning, match='blank.png: no face found'):
        boxes, whole = face_boxes(blank, HaarFaceDetector(), 'blank.png')
    assert whole and boxes.tolist() == [[0, 0, 50, 40, 1]]
    # the whole image on purpose: no detector, no warning
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        boxes, whole = face_boxes(blank, build_face_detector('whole_image'))
    assert whole


def test_build_face_detector_choices(tmp_path):
    assert isinstance(build_face_detector(None), HaarFaceDetector)
    alt = build_face_detector('haarcascade_frontalface_alt2.xml')
    assert alt.cascade.endswith('haarcascade_frontalface_alt2.xml')
    assert len(alt(cv2.imread(PHOTO))) == 1

    def fixed(img):
        return np.array([[1, 2, 30, 40, 0.9]], np.float32)

    assert build_face_detector(fixed) is fixed
    with pytest.raises(ValueError, match="det_model='yolo'"):
        build_face_detector('yolo')
    missing = str(tmp_path / 'faces.xml')
    with pytest.raises(FileNotFoundError, match='faces.xml'):
        build_face_detector(missing)
    with pytest.raises(FileNotFoundError, match='det.py'):
        build_face_detector(str(tmp_path / 'det.py'), 'det.pth')


def test_mmdet_detector_from_a_config():
    """A user-named mmdet config (here YOLOX-tiny with random weights: the
    boxes are meaningless, the wiring is what is checked)."""
    import mmdet
    cfg = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs', 'yolox',
                   'yolox_tiny_8xb8-300e_coco.py')
    img = cv2.imread(PHOTO)
    detector = MMDetFaceDetector(cfg, None, score_thr=0.0, iou_thr=1.0)
    boxes = detector(img)
    assert boxes.ndim == 2 and boxes.shape[1] == 5 and len(boxes) > 0
    assert np.all(np.diff(boxes[:, 4]) <= 0)  # best first
    detector.cat_ids = (12345, )  # no such label
    assert detector(img).shape == (0, 5)
