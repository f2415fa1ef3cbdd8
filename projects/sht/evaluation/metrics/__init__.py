"""Registered evaluation metrics (``mmpose.registry.METRICS``)."""
from .face_landmark_metric import FaceLandmarkMetric
from .hallucination_metric import HallucinationMetric

__all__ = ['FaceLandmarkMetric', 'HallucinationMetric']
