"""Paired comparison of two models on the same test faces.

A claimed gain of model A over model B (e.g. SHT over DHLN trained on for the
same budget) is judged on the per-face differences ``d_i = e_A(i) - e_B(i)``
of one error (NME): their mean and a percentile bootstrap interval of that
mean (faces resampled with replacement). An interval entirely below zero
says A's error is lower on these faces beyond resampling noise.
"""
from typing import Dict, Sequence

import numpy as np


def paired_bootstrap(errors_a: np.ndarray,
                     errors_b: np.ndarray,
                     num_resamples: int = 10000,
                     confidence: float = 0.95,
                     seed: int = 0) -> Dict[str, float]:
    """Mean of the paired differences and its bootstrap interval.

    Args:
        errors_a (np.ndarray): Per-face errors of model A, (N,).
        errors_b (np.ndarray): Per-face errors of model B on the same faces
            in the same order, (N,).
        num_resamples (int): Bootstrap resamples. Defaults to 10000.
        confidence (float): Coverage of the interval. Defaults to 0.95.
        seed (int): Seed of the resampling. Defaults to 0.

    Returns:
        dict[str, float]: ``mean_diff`` (mean of A - B), ``ci_low``,
        ``ci_high`` (percentile interval), ``frac_a_better`` (share of
        faces with A < B) and ``num_faces``.
    """
    a = np.asarray(errors_a, dtype=np.float64)
    b = np.asarray(errors_b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError('paired_bootstrap needs two non-empty (N,) arrays '
                         f'of the same faces, got {a.shape} and {b.shape}')
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ValueError('paired_bootstrap: errors must be finite')
    if not 0 < confidence < 1:
        raise ValueError(f'confidence must be in (0, 1), got {confidence}')
    diff = a - b
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, diff.size, size=(num_resamples, diff.size))
    means = diff[idx].mean(axis=1)
    tail = (1.0 - confidence) / 2.0 * 100.0
    low, high = np.percentile(means, [tail, 100.0 - tail])
    return dict(
        mean_diff=float(diff.mean()),
        ci_low=float(low),
        ci_high=float(high),
        frac_a_better=float(np.mean(diff < 0)),
        num_faces=int(diff.size))


def mean_std(values: Sequence[float]) -> Dict[str, float]:
    """Mean and sample standard deviation (ddof 1; 0 for one value)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size == 0:
        raise ValueError('mean_std needs at least one value')
    std = float(arr.std(ddof=1)) if arr.size > 1 else 0.0
    return dict(mean=float(arr.mean()), std=std, n=int(arr.size))
