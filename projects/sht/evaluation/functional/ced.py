"""Cumulative error distribution (CED), its AUC and the failure rate.

The CED of a test set is ``F(x) = #{i : nme_i <= x} / N``. The tables'
``AUC@t`` is the area under F on [0, t] divided by t (so 1 for a perfect
model), ``FR@t`` the fraction of images with ``nme_i > t``. ``t`` is a
fraction of the normaliser (0.1 for WFLW's AUC^10 / FR^10, 0.07 for AFLW's
AUC^7).
"""
import os
import os.path as osp
from typing import Dict, Optional, Tuple

import numpy as np


def _check_errors(nme: np.ndarray) -> np.ndarray:
    nme = np.asarray(nme, dtype=np.float64).reshape(-1)
    if nme.size == 0:
        raise ValueError('the CED needs at least one per-image error')
    if not np.all(np.isfinite(nme)) or np.any(nme < 0):
        raise ValueError('per-image errors must be finite and >= 0 '
                         '(drop images without visible landmarks first)')
    return nme


def _check_threshold(threshold: float, step: float) -> None:
    if not threshold > 0:
        raise ValueError(f'threshold must be > 0, got {threshold}')
    if not 0 < step <= threshold:
        raise ValueError(f'step must be in (0, threshold], got {step}')


def ced_curve(nme: np.ndarray,
              threshold: float,
              step: float = 1e-4) -> Tuple[np.ndarray, np.ndarray]:
    """Sample the CED on a regular grid of [0, threshold].

    Args:
        nme (np.ndarray): Per-image errors (fractions), shape (N,).
        threshold (float): Right end of the curve.
        step (float): Grid spacing (the last interval ends exactly at
            ``threshold``).

    Returns:
        tuple:
        - x (np.ndarray): Error thresholds, shape (M,), from 0 to threshold.
        - y (np.ndarray): Fraction of images with error <= x, shape (M,).
    """
    nme = _check_errors(nme)
    _check_threshold(threshold, step)
    num_steps = int(np.ceil(threshold / step - 1e-9))
    x = np.linspace(0.0, threshold, num_steps + 1)
    y = np.searchsorted(np.sort(nme), x, side='right') / nme.size
    return x, y


def ced_auc(nme: np.ndarray, threshold: float, step: float = 1e-4) -> float:
    """Area under the CED on [0, threshold], divided by threshold.

    Trapezoidal integration of :func:`ced_curve`; the discretisation error
    is below ``step / threshold``.

    Args:
        nme (np.ndarray): Per-image errors (fractions), shape (N,).
        threshold (float): Upper integration limit ``t``.
        step (float): Grid spacing of the integration.

    Returns:
        float: AUC@t in [0, 1].
    """
    x, y = ced_curve(nme, threshold, step)
    area = float(np.sum(0.5 * (y[1:] + y[:-1]) * np.diff(x)))
    return area / threshold


def failure_rate(nme: np.ndarray, threshold: float) -> float:
    """Fraction of images whose error is larger than ``threshold`` (FR@t).

    Args:
        nme (np.ndarray): Per-image errors (fractions), shape (N,).
        threshold (float): Failure threshold ``t``.

    Returns:
        float: FR@t in [0, 1].
    """
    nme = _check_errors(nme)
    if not threshold > 0:
        raise ValueError(f'threshold must be > 0, got {threshold}')
    return float(np.mean(nme > threshold))


def plot_ced(curves: Dict[str, np.ndarray],
             threshold: float,
             out_file: str,
             title: Optional[str] = None,
             xlabel: str = 'NME (%)',
             step: float = 1e-4,
             dpi: int = 100) -> str:
    """Draw one CED curve per named set of errors and save it as a PNG.

    Uses matplotlib's Agg backend (no display needed). The x axis (errors in
    %) ends at ``threshold``; the legend shows each curve's AUC@threshold
    (in %) and its number of images.

    Args:
        curves (dict[str, np.ndarray]): Name (e.g. ``'all'``, ``'common'``)
            to per-image errors (fractions), each of shape (N_i,).
        threshold (float): Right end of the x axis (fraction).
        out_file (str): Path of the PNG to write; folders are created.
        title (str, optional): Figure title.
        xlabel (str): Label of the x axis (errors are drawn in %).
        step (float): Grid spacing of the curves.
        dpi (int): Resolution of the PNG.

    Returns:
        str: ``out_file``.
    """
    if not curves:
        raise ValueError('plot_ced needs at least one curve')
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4.5))
    try:
        for name, nme in curves.items():
            x, y = ced_curve(nme, threshold, step)
            auc = ced_auc(nme, threshold, step)
            ax.plot(
                x * 100,
                y,
                label=f'{name}: AUC {auc * 100:.2f}%, n={np.size(nme)}')
        ax.set_xlim(0, threshold * 100)
        ax.set_ylim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel('fraction of images')
        ax.grid(True, alpha=0.3)
        ax.legend(loc='lower right', fontsize='small')
        if title:
            ax.set_title(title)
        out_dir = osp.dirname(osp.abspath(out_file))
        os.makedirs(out_dir, exist_ok=True)
        fig.savefig(out_file, dpi=dpi, bbox_inches='tight')
    finally:
        plt.close(fig)
    return out_file

