import numpy as np
import pytest

from palier.engine import calibrate, item_fit
from tests.engine.factories import simulate_responses


def data_with_one_misfitting_item(seed):
    rng = np.random.default_rng(seed)
    n_items = 30
    a = rng.lognormal(0, 0.25, n_items)
    b = rng.normal(0, 1, n_items)
    person, item, correct, theta = simulate_responses(a, b, 4000, 20, rng)
    # Item 0 follows a non-monotone curve: right answers peak in the middle of the scale.
    mask = item == 0
    p_bad = 0.85 * np.exp(-0.5 * theta[person[mask]] ** 2 / 0.5)
    correct[mask] = rng.random(mask.sum()) < p_bad
    return person, item, correct


def test_a_misfitting_item_stands_out_on_both_statistics():
    person, item, correct = data_with_one_misfitting_item(1)
    calibration = calibrate(person, item, correct, standard_errors=False)
    fit = item_fit(person, item, correct, calibration)
    assert fit.rmsd[0] > 0.1
    assert np.all(fit.rmsd[1:] < 0.06)
    assert fit.p_value[0] < 1e-6
    assert np.median(fit.p_value[1:]) > 0.05
    assert fit.df == 8 and fit.statistic.shape == (30,)


def test_item_fit_needs_at_least_two_groups():
    person, item, correct = data_with_one_misfitting_item(2)
    calibration = calibrate(person, item, correct, standard_errors=False)
    with pytest.raises(ValueError, match="n_groups"):
        item_fit(person, item, correct, calibration, n_groups=1)
