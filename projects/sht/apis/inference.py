"""Landmarks and hallucinated faces of whole photos with mmpose's
``init_model`` + ``inference_topdown``: faces are found by a detector
(:mod:`sht.apis.face_detection`) when no box is given.

Example::

    import sht
    from mmpose.apis import init_model
    from sht.apis import inference_faces, face_image

    model = init_model(CONFIG, CHECKPOINT, device='cpu')
    for sample in inference_faces(model, 'photo.jpg'):   # one per face
        keypoints = sample.pred_instances.keypoints       # (1, K, 2)
        face = face_image(sample)                         # (H, W, 3) BGR
"""
import os.path as osp
from typing import List, Optional, Sequence, Union

import cv2
import numpy as np
from mmpose.apis import inference_topdown
from mmpose.structures import PoseDataSample
from torch import nn

from .face_detection import DetectorSpec, build_face_detector, face_boxes

ImageInput = Union[str, np.ndarray]


class ImageReadError(ValueError):
    """A file given as an image cannot be decoded (names the file)."""


def as_bgr(img: np.ndarray, name: str = 'image') -> np.ndarray:
    """A 3-channel BGR uint8 view of an image array.

    Args:
        img (np.ndarray): (H, W) gray, (H, W, 1), (H, W, 3) BGR or
            (H, W, 4) BGRA.
        name (str): Used in the error message.

    Returns:
        np.ndarray: (H, W, 3).
    """
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[2] == 1:
        img = img[..., 0]
    if img.ndim == 2:
        return cv2.cvtColor(img, cv2.COLOR_GRAY2BGR)
    if img.ndim == 3 and img.shape[2] == 4:
        return cv2.cvtColor(img, cv2.COLOR_BGRA2BGR)
    if img.ndim == 3 and img.shape[2] == 3:
        return img
    raise ValueError(f'{name}: expected an image array (H, W), (H, W, 1), '
                     f'(H, W, 3) or (H, W, 4), got shape {img.shape}')


def read_image(img: ImageInput) -> np.ndarray:
    """An image file or array as BGR (H, W, 3).

    Raises:
        FileNotFoundError: The file does not exist (names it).
        ImageReadError: The file is not a decodable image (names it).
    """
    if not isinstance(img, str):
        return as_bgr(img)
    if not osp.isfile(img):
        raise FileNotFoundError(f'{img}: image file not found')
    out = cv2.imread(img, cv2.IMREAD_COLOR)
    if out is None:
        raise ImageReadError(
            f'{img}: not a decodable image (expected a JPEG/PNG/BMP/... '
            'file that OpenCV reads)')
    return out


def inference_faces(model: nn.Module,
                    img: ImageInput,
                    bboxes: Optional[Union[Sequence, np.ndarray]] = None,
                    det_model: DetectorSpec = 'haar',
                    bbox_format: str = 'xyxy',
                    name: Optional[str] = None) -> List[PoseDataSample]:
    """Landmarks (and hallucinated faces) of every face of a photo.

    Args:
        model (nn.Module): A model from mmpose's ``init_model``.
        img (str | np.ndarray): Image file, or array (H, W) gray /
            (H, W, 3) BGR.
        bboxes (array-like, optional): Face boxes (N, 4); when None, the
            faces are found by ``det_model``.
        det_model: A detector, or its name for
            :func:`~sht.apis.face_detection.build_face_detector` (the Haar
            cascade by default; ``'whole_image'`` takes the whole image).
            A name builds the detector on every call: pass a built one
            (e.g. an ``MMDetFaceDetector``) for many images.
        bbox_format (str): ``'xyxy'`` or ``'xywh'`` for ``bboxes``.
        name (str, optional): The image's name in warnings (default: the
            file name, or "image array").

    Returns:
        list[PoseDataSample]: One per face, as ``inference_topdown``
        returns them (``pred_instances.keypoints`` (1, K, 2) in image
        coordinates, ``pred_face.img`` (3, H, W) RGB in [0, 1]), each with
        ``metainfo['whole_image']`` True when no face was found (a
        :class:`~sht.apis.face_detection.WholeImageWarning` says so).
    """
    if name is None:
        name = img if isinstance(img, str) else 'image array'
    image = read_image(img)
    whole = False
    if bboxes is None or len(bboxes) == 0:
        detector = det_model if callable(det_model) else \
            build_face_detector(det_model)
        boxes, whole = face_boxes(image, detector, name)
        bboxes, bbox_format = boxes[:, :4], 'xyxy'
    results = inference_topdown(model, image, np.asarray(bboxes, np.float32),
                                bbox_format)
    for sample in results:
        sample.set_metainfo(dict(whole_image=whole))
        if isinstance(img, str):
            sample.set_metainfo(dict(img_path=img))
    return results


def face_image(sample: PoseDataSample, bgr: bool = True) -> np.ndarray:
    """The hallucinated face of a prediction as an 8-bit picture.

    Args:
        sample (PoseDataSample): With ``pred_face.img`` (3, H, W) in [0, 1].
        bgr (bool): BGR (OpenCV) or RGB channel order.

    Returns:
        np.ndarray: (H, W, 3) uint8.
    """
    return face_to_uint8(sample.pred_face.img, bgr)


def face_to_uint8(face, bgr: bool = True) -> np.ndarray:
    """(3, H, W) RGB in [0, 1] (tensor or array) -> (H, W, 3) uint8."""
    face = face.detach().cpu().numpy() if hasattr(face, 'detach') else \
        np.asarray(face)
    out = (np.clip(face, 0, 1) * 255).round().astype(np.uint8)
    out = np.ascontiguousarray(out.transpose(1, 2, 0))
    return np.ascontiguousarray(out[..., ::-1]) if bgr else out
