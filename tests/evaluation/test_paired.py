"""Paired bootstrap of per-face differences, against a direct computation."""
import numpy as np
import pytest

from sht.evaluation.functional import mean_std, paired_bootstrap


def test_mean_and_interval_match_a_direct_bootstrap():
    rng = np.random.default_rng(0)
    b = rng.random(200)
    a = b - 0.01 + 0.02 * rng.standard_normal(200)
    out = paired_bootstrap(a, b, num_resamples=4000, seed=3)
    assert out['mean_diff'] == pytest.approx(np.mean(a - b))
    # independent loop, same generator stream
    gen = np.random.default_rng(3)
    idx = gen.integers(0, 200, size=(4000, 200))
    means = [np.mean((a - b)[row]) for row in idx]
    assert out['ci_low'] == pytest.approx(np.percentile(means, 2.5))
    assert out['ci_high'] == pytest.approx(np.percentile(means, 97.5))
    assert out['ci_high'] < 0  # a true gain of 0.01 with noise 0.02 / sqrt(200)
    assert out['frac_a_better'] == pytest.approx(np.mean(a < b))
    assert out['num_faces'] == 200


def test_no_difference_gives_an_interval_around_zero():
    rng = np.random.default_rng(1)
    b = rng.random(300)
    a = b + 0.05 * rng.standard_normal(300)
    out = paired_bootstrap(a - np.mean(a - b), b)
    assert out['ci_low'] < 0 < out['ci_high']


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match='same faces'):
        paired_bootstrap(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match='finite'):
        paired_bootstrap(np.array([np.nan]), np.array([0.0]))


def test_mean_std_uses_the_sample_std():
    out = mean_std([1.0, 2.0, 3.0])
    assert out == dict(mean=2.0, std=1.0, n=3)
    assert mean_std([4.0])['std'] == 0.0
