"""NumPy implementations of the face-alignment and face-hallucination metrics
(NME under five normalisations, CED / AUC / FR, PSNR / SSIM on Y)."""
from .ced import ced_auc, ced_curve, failure_rate, plot_ced
from .image_quality import gaussian_window_1d, psnr_y, rgb_to_y, ssim_y
from .landmark_errors import (box_diagonal, box_size, face_nme, face_width,
                              interocular, interpupil)
from .paired import mean_std, paired_bootstrap
from .subsets import group_by_subset

__all__ = [
    'face_nme', 'interocular', 'interpupil', 'box_size', 'box_diagonal',
    'face_width', 'ced_curve', 'ced_auc', 'failure_rate', 'plot_ced',
    'rgb_to_y', 'psnr_y', 'ssim_y', 'gaussian_window_1d', 'group_by_subset',
    'paired_bootstrap', 'mean_std'
]
