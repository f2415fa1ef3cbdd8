"""Pose estimators built on DHLN."""
from .dhln_estimator import DHLNEstimator
from .sht_estimator import SHTEstimator

__all__ = ['DHLNEstimator', 'SHTEstimator']
