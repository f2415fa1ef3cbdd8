"""Inference on face photos: offline face detection, landmarks and the
hallucinated face through mmpose's APIs (``init_model`` +
``inference_topdown``, ``MMPoseInferencer``)."""
from .face_detection import (HaarFaceDetector, MMDetFaceDetector,
                             WholeImageWarning, build_face_detector,
                             face_boxes)
from .inference import (ImageReadError, as_bgr, face_image, face_to_uint8,
                        inference_faces, read_image)
from .inferencer import FaceInferencer, FacePose2DInferencer

__all__ = [
    'HaarFaceDetector', 'MMDetFaceDetector', 'WholeImageWarning',
    'build_face_detector', 'face_boxes', 'ImageReadError', 'as_bgr',
    'face_image', 'face_to_uint8', 'inference_faces', 'read_image',
    'FaceInferencer', 'FacePose2DInferencer'
]
