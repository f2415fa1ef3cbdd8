"""Evaluation of SHT: NME (io / ip / box / diag / wid), CED AUC, FR and
PSNR / SSIM, per dataset subset. See ``docs/evaluation.md``."""
from . import functional, metrics  # noqa: F401
from .metrics import FaceLandmarkMetric, HallucinationMetric
from .report import format_metric_table, metric_table, save_metrics_json

__all__ = [
    'functional', 'metrics', 'FaceLandmarkMetric', 'HallucinationMetric',
    'format_metric_table', 'metric_table', 'save_metrics_json'
]
