"""CED, AUC@t and FR@t against direct integration of the step function."""
import numpy as np
import pytest

from sht.evaluation.functional import (ced_auc, ced_curve, failure_rate,
                                       group_by_subset, plot_ced)


def exact_auc(errors, t):
    """Exact area under F(x) = mean(e <= x) on [0, t], over t.

    Each image contributes the length of [e_i, t] (zero when e_i > t), so
    the integral is mean(max(t - e_i, 0)).
    """
    errors = np.asarray(errors, dtype=np.float64)
    return np.mean(np.clip(t - errors, 0, None)) / t


def test_auc_hand_computed():
    # errors 0.02 and 0.06 of two images, t = 0.08: F = 0 on [0, .02),
    # 1/2 on [.02, .06), 1 on [.06, .08] -> area .02 + .02 = .04 -> 0.5
    assert ced_auc([0.02, 0.06], 0.08) == pytest.approx(0.5, abs=1e-3)
    assert ced_auc([0.0, 0.0], 0.1) == pytest.approx(1.0)
    assert ced_auc([0.2, 0.5], 0.1) == 0.0


@pytest.mark.parametrize('t', [0.07, 0.08, 0.1])
def test_auc_matches_exact_integral_on_random_errors(t):
    rng = np.random.default_rng(1)
    errors = rng.gamma(2.0, 0.025, size=500)
    step = 1e-4
    assert ced_auc(errors, t, step) == pytest.approx(
        exact_auc(errors, t), abs=step / t)


def test_failure_rate_counts_strictly_larger_errors():
    errors = np.array([0.05, 0.1, 0.1000001, 0.3, 0.01])
    assert failure_rate(errors, 0.1) == pytest.approx(2 / 5)
    assert failure_rate(errors, 0.5) == 0.0


def test_ced_curve_is_the_fraction_below_each_threshold():
    errors = np.array([0.03, 0.01, 0.05, 0.05])
    x, y = ced_curve(errors, 0.06, step=0.01)
    np.testing.assert_allclose(x, np.arange(7) * 0.01, atol=1e-12)
    expected = [np.mean(errors <= xi) for xi in x]
    np.testing.assert_allclose(y, expected)


def test_bad_errors_raise():
    with pytest.raises(ValueError, match='finite'):
        ced_auc([0.1, np.nan], 0.1)
    with pytest.raises(ValueError, match='at least one'):
        failure_rate([], 0.1)
    with pytest.raises(ValueError, match='threshold'):
        ced_auc([0.1], 0.0)


def test_group_by_subset_keeps_overlapping_tags():
    values = np.array([1., 2., 3., 4.])
    tags = [('common', 'full'), ('challenging', 'full'), ('common', 'full'),
            ()]
    groups = group_by_subset(values, tags)
    assert list(groups) == ['all', 'common', 'full', 'challenging']
    np.testing.assert_array_equal(groups['common'], [1., 3.])
    np.testing.assert_array_equal(groups['full'], [1., 2., 3.])
    np.testing.assert_array_equal(groups['all'], values)
    # a dataset may tag every sample 'all' (the whole set): no extra group
    assert list(group_by_subset(values[:2], [('all', ), ('all', 'x')])) == [
        'all', 'x']
    with pytest.raises(ValueError, match='only 1 of 2'):
        group_by_subset(values[:2], [('all', ), ('x', )])


def test_plot_ced_writes_a_png(tmp_path):
    rng = np.random.default_rng(2)
    out = plot_ced({'all': rng.uniform(0, 0.1, 30),
                    'frontal': rng.uniform(0, 0.05, 10)},
                   0.07, str(tmp_path / 'sub' / 'ced.png'), title='CED')
    with open(out, 'rb') as f:
        assert f.read(8) == b'\x89PNG\r\n\x1a\n'
