"""Offline face detection for whole photos: OpenCV's Haar cascades (shipped
inside the opencv-python wheel, ``cv2.data.haarcascades``) or a face
detector of mmdet named by the user (config + checkpoint). Nothing is
downloaded.

A detector is a callable ``detector(img) -> (N, 5)`` array of boxes
``x1, y1, x2, y2, score`` in pixels for a BGR image (H, W, 3) uint8.
:func:`face_boxes` turns its output into the face boxes the models expect
and falls back to the whole image (with a :class:`WholeImageWarning`) when
no face is found.
"""
import os.path as osp
import warnings
from typing import Callable, Optional, Sequence, Tuple, Union

import cv2
import numpy as np

#: a callable ``(H, W, 3) uint8 BGR -> (N, 5) float32`` (x1, y1, x2, y2, s)
FaceDetector = Callable[[np.ndarray], np.ndarray]
DetectorSpec = Union[None, str, FaceDetector]

WHOLE_IMAGE = ('whole_image', 'whole-image')


class WholeImageWarning(UserWarning):
    """No face was found: the whole image is taken as the face box."""


def _nms(boxes: np.ndarray, iou_thr: float) -> np.ndarray:
    """Indices of (N, 5) boxes kept by greedy NMS, best score first."""
    order = np.argsort(-boxes[:, 4])
    keep = []
    area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while len(order):
        i, rest = order[0], order[1:]
        keep.append(i)
        x1 = np.maximum(boxes[i, 0], boxes[rest, 0])
        y1 = np.maximum(boxes[i, 1], boxes[rest, 1])
        x2 = np.minimum(boxes[i, 2], boxes[rest, 2])
        y2 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
        iou = inter / (area[i] + area[rest] - inter + 1e-9)
        order = rest[iou <= iou_thr]
    return np.asarray(keep, dtype=np.int64)


class HaarFaceDetector:
    """Frontal faces with an OpenCV Haar cascade of the opencv-python wheel.

    A cascade's box covers forehead to mouth; the models are trained on
    square boxes around the landmarks (brows to chin). The box is therefore
    mapped to a square of side ``box_scale`` x the cascade's side, centred
    ``box_shift`` x that side below the cascade box's centre. Defaults
    measured on 15 real faces of mmpose's sample images (300W, WFLW, LaPa,
    300VW, 300W-LP; median ratio 0.88, shift 0.14).

    Args:
        cascade (str): File name in ``cv2.data.haarcascades`` or a path.
            Defaults to ``'haarcascade_frontalface_default.xml'``.
        scale_factor (float): ``detectMultiScale``'s pyramid step.
        min_neighbors (int): ``detectMultiScale``'s vote threshold.
        min_size (float): Smallest face side, as a fraction of the image's
            shorter side (at least 16 px).
        box_scale (float): Output side over the cascade's side.
        box_shift (float): Downward shift of the centre, in cascade sides.
        iou_thr (float): NMS threshold between detections.
    """

    def __init__(self,
                 cascade: str = 'haarcascade_frontalface_default.xml',
                 scale_factor: float = 1.1,
                 min_neighbors: int = 5,
                 min_size: float = 0.05,
                 box_scale: float = 0.9,
                 box_shift: float = 0.14,
                 iou_thr: float = 0.3) -> None:
        path = cascade if osp.isfile(cascade) else osp.join(
            cv2.data.haarcascades, cascade)
        self.classifier = cv2.CascadeClassifier(path)
        if self.classifier.empty():
            raise FileNotFoundError(
                f'{path}: not an OpenCV cascade file (see '
                f'{cv2.data.haarcascades} for those opencv-python ships)')
        self.cascade = path
        self.scale_factor = float(scale_factor)
        self.min_neighbors = int(min_neighbors)
        self.min_size = float(min_size)
        self.box_scale = float(box_scale)
        self.box_shift = float(box_shift)
        self.iou_thr = float(iou_thr)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        """Face boxes of a BGR (or gray) image.

        Returns:
            np.ndarray: (N, 5) float32 ``x1, y1, x2, y2, score`` (the
            cascade's level weight), best first.
        """
        gray = img if img.ndim == 2 else cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
        gray = cv2.equalizeHist(gray.astype(np.uint8))
        side = max(16, int(self.min_size * min(gray.shape[:2])))
        rects, _, weights = self.classifier.detectMultiScale3(
            gray,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(side, side),
            outputRejectLevels=True)
        if len(rects) == 0:
            return np.zeros((0, 5), np.float32)
        rects = np.asarray(rects, np.float32).reshape(-1, 4)
        s = rects[:, 2:].max(axis=1)
        cx = rects[:, 0] + rects[:, 2] / 2
        cy = rects[:, 1] + rects[:, 3] / 2 + self.box_shift * s
        half = self.box_scale * s / 2
        boxes = np.stack([cx - half, cy - half, cx + half, cy + half,
                          np.ravel(weights).astype(np.float32)], axis=1)
        return boxes[_nms(boxes, self.iou_thr)].astype(np.float32)


class MMDetFaceDetector:
    """A face detector of mmdet (``init_detector`` + ``inference_detector``)
    from a local config and checkpoint.

    Args:
        config (str): mmdet config file.
        checkpoint (str, optional): Its checkpoint (None: random weights,
            for tests only).
        device (str): e.g. ``'cpu'``, ``'cuda:0'``.
        cat_ids (Sequence[int]): Labels that are faces. Defaults to (0, ).
        score_thr (float): Minimum score kept. Defaults to 0.5.
        iou_thr (float): NMS threshold between kept boxes.
    """

    def __init__(self,
                 config: str,
                 checkpoint: Optional[str] = None,
                 device: str = 'cpu',
                 cat_ids: Sequence[int] = (0, ),
                 score_thr: float = 0.5,
                 iou_thr: float = 0.3) -> None:
        from mmdet.apis import init_detector
        for path in (config, checkpoint):
            if path is not None and not osp.isfile(path):
                raise FileNotFoundError(f'{path}: face detector file not '
                                        'found')
        self.model = init_detector(config, checkpoint, device=device)
        self.cat_ids = tuple(int(c) for c in np.atleast_1d(cat_ids))
        self.score_thr = float(score_thr)
        self.iou_thr = float(iou_thr)

    def __call__(self, img: np.ndarray) -> np.ndarray:
        """Face boxes of a BGR image: (N, 5) float32, best first."""
        from mmdet.apis import inference_detector
        if img.ndim == 2:
            img = cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
        pred = inference_detector(self.model, img).pred_instances.cpu()
        boxes = np.concatenate(
            [pred.bboxes.numpy(), pred.scores.numpy()[:, None]], axis=1)
        keep = np.isin(pred.labels.numpy(), self.cat_ids) & (
            boxes[:, 4] >= self.score_thr)
        boxes = boxes[keep].astype(np.float32).reshape(-1, 5)
        return boxes[_nms(boxes, self.iou_thr)] if len(boxes) else boxes


def build_face_detector(det_model: DetectorSpec = 'haar',
                        det_weights: Optional[str] = None,
                        device: str = 'cpu',
                        det_cat_ids: Sequence[int] = (0, )
                        ) -> Optional[FaceDetector]:
    """The face detector a user names.

    Args:
        det_model: ``'haar'`` or None (Haar cascade, the default), a Haar
            cascade ``.xml`` (file name in ``cv2.data.haarcascades`` or a
            path), ``'whole_image'`` (no detector: the whole image is the
            face, on purpose), an mmdet config ``.py`` file, or a callable
            detector.
        det_weights (str, optional): The mmdet checkpoint.
        device (str): Device of an mmdet detector.
        det_cat_ids (Sequence[int]): Face labels of an mmdet detector.

    Returns:
        The detector, or None for ``'whole_image'``.
    """
    if det_model is None or det_model == 'haar':
        return HaarFaceDetector()
    if callable(det_model):
        return det_model
    if det_model in WHOLE_IMAGE:
        return None
    if str(det_model).endswith('.xml'):
        return HaarFaceDetector(cascade=det_model)
    if str(det_model).endswith('.py'):
        return MMDetFaceDetector(det_model, det_weights, device,
                                 det_cat_ids)
    raise ValueError(
        f'det_model={det_model!r}: expected "haar", a Haar cascade .xml, '
        '"whole_image", an mmdet config .py (with det_weights) or a '
        'callable detector')


def face_boxes(img: np.ndarray,
               detector: Optional[FaceDetector],
               name: str = 'image',
               warn: bool = True) -> Tuple[np.ndarray, bool]:
    """Face boxes of an image, or the whole image when none is found.

    Args:
        img (np.ndarray): BGR image (H, W, 3).
        detector (FaceDetector, optional): None takes the whole image
            without a warning (the caller asked for it).
        name (str): The image's name in the warning.
        warn (bool): Warn when no face was found.

    Returns:
        tuple: ``boxes`` (N, 5) float32 ``x1, y1, x2, y2, score`` and
        ``whole_image`` (True when the box is the whole image).
    """
    h, w = img.shape[:2]
    if detector is not None:
        boxes = np.asarray(detector(img), np.float32).reshape(-1, 5)
        if len(boxes):
            return boxes, False
        if warn:
            warnings.warn(
                f'{name}: no face found; the whole image ({w}x{h}) is taken '
                'as the face (landmarks are only meaningful on a face crop; '
                'give a box or another detector)', WholeImageWarning)
    return np.array([[0, 0, w, h, 1]], np.float32), True
