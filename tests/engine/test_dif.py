import numpy as np
import pytest

from palier.engine import mantel_haenszel, matching_strata


def test_mantel_haenszel_matches_a_hand_computed_two_strata_example():
    # Stratum 0: reference 30 right / 10 wrong, focal 20 right / 20 wrong.
    # Stratum 1: reference 40 right / 5 wrong, focal 30 right / 10 wrong.
    rows = []
    for stratum, counts in enumerate([(30, 10, 20, 20), (40, 5, 30, 10)]):
        ref_right, ref_wrong, foc_right, foc_wrong = counts
        rows += [(0, 1, 0, stratum)] * ref_right + [(0, 0, 0, stratum)] * ref_wrong
        rows += [(0, 1, 1, stratum)] * foc_right + [(0, 0, 1, stratum)] * foc_wrong
    item, correct, focal, stratum = (np.array(column) for column in zip(*rows, strict=True))
    result = mantel_haenszel(item, correct, focal, stratum)
    alpha = (30 * 20 / 80 + 40 * 10 / 85) / (10 * 20 / 80 + 5 * 30 / 85)
    assert result.alpha[0] == pytest.approx(alpha)
    assert result.delta[0] == pytest.approx(-2.35 * np.log(alpha))
    expected = 40 * 50 / 80 + 45 * 70 / 85
    variance = 40 * 40 * 50 * 30 / (80**2 * 79) + 45 * 40 * 70 * 15 / (85**2 * 84)
    assert result.statistic[0] == pytest.approx((abs(70 - expected) - 0.5) ** 2 / variance)
    assert result.n_reference[0] == 85 and result.n_focal[0] == 80


def test_an_item_harder_for_the_focal_group_is_flagged_c_and_fair_items_a():
    rng = np.random.default_rng(3)
    n_persons, n_items = 6000, 12
    theta = rng.normal(size=n_persons)
    focal = rng.random(n_persons) < 0.4
    b = np.linspace(-1.5, 1.5, n_items)
    person = np.repeat(np.arange(n_persons), n_items)
    item = np.tile(np.arange(n_items), n_persons)
    shift = np.where((item == 0) & focal[person], 1.0, 0.0)
    p = 1 / (1 + np.exp(-(theta[person] - b[item] - shift)))
    correct = rng.random(p.size) < p
    strata = matching_strata(theta, 10)
    result = mantel_haenszel(item, correct, focal[person], strata[person])
    assert result.ets_class[0] == "C" and result.delta[0] < -1.5
    assert result.ets_class[1:].count("A") >= n_items - 2


def test_mismatched_dif_inputs_are_refused():
    with pytest.raises(ValueError, match="equal length"):
        mantel_haenszel(np.array([0, 1]), np.array([1]), np.array([0, 1]), np.array([0, 0]))


def test_matching_strata_have_equal_counts():
    strata = matching_strata(np.arange(1000.0), 4)
    assert np.bincount(strata).tolist() == [250, 250, 250, 250]
