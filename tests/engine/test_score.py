import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import ndtr

from palier.engine import level, level_probabilities, reported_level
from palier.engine.score import REPORT_THRESHOLD, classified

CUTS = (-1.0, 0.0, 1.5)


def test_levels_count_the_cut_scores_at_or_below_theta():
    assert level([-2.0, -1.0, -0.5, 0.0, 1.49, 1.5, 3.0], CUTS).tolist() == [0, 1, 1, 2, 2, 3, 3]


@given(st.floats(-4, 4), st.floats(0.05, 2))
def test_level_probabilities_sum_to_one_and_favour_the_estimated_level(theta, se):
    probabilities = level_probabilities(theta, se, CUTS)
    assert probabilities.shape == (4,)
    assert probabilities.sum() == pytest.approx(1.0)
    assert np.all(probabilities >= 0)


def test_a_precise_estimate_in_the_middle_of_a_band_is_almost_surely_in_that_level():
    assert level_probabilities(0.75, 0.1, CUTS)[2] > 0.999


def test_bad_cut_scores_are_refused():
    with pytest.raises(ValueError, match="increasing"):
        level(0.0, (1.0, 0.0))
    with pytest.raises(ValueError, match="se"):
        level_probabilities(0.0, 0.0, CUTS)


def test_an_interval_crossing_a_cut_score_is_not_classified():
    assert classified(0.75, 0.2, CUTS, 1.96)
    assert not classified(0.1, 0.2, CUTS, 1.96)


# The seed framework's cut scores: five levels, 1-logit inner bands.
SEED_CUTS = (-1.5, -0.5, 0.5, 1.5)


def test_a_level_probable_enough_is_reported_alone_with_its_probability():
    report = reported_level(0.0, 0.3, SEED_CUTS)
    assert report.between is None and report.level == 2
    assert report.probability == pytest.approx(0.9044, abs=1e-4)  # 2 Phi(0.5 / 0.3) - 1
    assert report.probabilities == pytest.approx(tuple(level_probabilities(0.0, 0.3, SEED_CUTS)))


def test_below_the_threshold_the_learner_is_between_the_level_and_its_likelier_neighbour():
    report = reported_level(0.4, 0.5, SEED_CUTS)
    probabilities = level_probabilities(0.4, 0.5, SEED_CUTS)
    assert probabilities[2] < REPORT_THRESHOLD
    assert report.level == 2 and report.between == (2, 3)
    assert report.probability == pytest.approx(probabilities[2] + probabilities[3])


def test_the_threshold_is_the_documented_one_and_can_be_raised():
    assert REPORT_THRESHOLD == 0.6
    report = reported_level(0.0, 0.4, SEED_CUTS)  # P(level 2) = 2 Phi(1.25) - 1 = 0.789
    assert report.between is None
    assert reported_level(0.0, 0.4, SEED_CUTS, threshold=0.8).between == (1, 2)


def test_a_probability_tied_with_the_threshold_reaches_it():
    probability = float(level_probabilities(0.1, 0.45, SEED_CUTS)[2])
    assert reported_level(0.1, 0.45, SEED_CUTS, threshold=probability).between is None
    tied = np.nextafter(probability, 1.0)  # one unit in the last place above
    assert reported_level(0.1, 0.45, SEED_CUTS, threshold=tied).between is None
    assert reported_level(0.1, 0.45, SEED_CUTS, threshold=probability + 1e-6).between == (2, 3)


@pytest.mark.parametrize("theta", [0.0, np.nextafter(0.0, 1.0), np.nextafter(0.0, -1.0), 1e-15])
def test_equally_probable_neighbours_give_the_lower_pair_whatever_the_last_bits(theta):
    # In the middle of a band with equal neighbours both pairs are equally probable.
    report = reported_level(theta, 0.7, SEED_CUTS)
    assert report.between == (1, 2)


def test_an_estimate_on_a_cut_score_is_between_the_two_levels_it_separates():
    report = reported_level(0.5, 0.3, SEED_CUTS)
    assert report.level == 3 and report.between == (2, 3)
    assert report.probability == pytest.approx(float(ndtr(1.0 / 0.3) - ndtr(-1.0 / 0.3)), abs=1e-12)


def test_the_first_and_last_levels_have_one_neighbour():
    assert reported_level(-1.6, 0.5, SEED_CUTS).between == (0, 1)
    assert reported_level(1.6, 0.5, SEED_CUTS).between == (3, 4)


def test_a_scale_without_cut_scores_reports_its_single_level_for_sure():
    report = reported_level(0.3, 0.8, ())
    assert (report.level, report.probability, report.between) == (0, 1.0, None)


def test_a_threshold_below_one_half_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        reported_level(0.0, 0.3, SEED_CUTS, threshold=0.4)
    with pytest.raises(ValueError, match="se"):
        reported_level(0.0, 0.0, SEED_CUTS)


@given(st.floats(-4, 4), st.floats(0.05, 1.0), st.floats(0.5, 1.0))
def test_the_report_always_holds_the_estimated_level_and_the_likeliest_pair(theta, se, threshold):
    report = reported_level(theta, se, SEED_CUTS, threshold)
    probabilities = level_probabilities(theta, se, SEED_CUTS)
    assert report.level == int(level(theta, SEED_CUTS))
    if report.between is None:
        assert report.probability == probabilities[report.level] >= threshold - 1e-9
    else:
        low, high = report.between
        assert high == low + 1 and report.level in report.between
        assert report.probability == pytest.approx(probabilities[low] + probabilities[high])
        # With SE up to one band width, no other adjacent pair is more probable.
        pairs = probabilities[:-1] + probabilities[1:]
        assert report.probability >= pairs.max() - 1e-9


def _position(report) -> float:
    return report.level if report.between is None else report.between[0] + 0.5


@given(st.floats(0.05, 1.0), st.floats(0.5, 0.95))
def test_a_higher_estimate_is_never_reported_lower(se, threshold):
    thetas = np.linspace(-3.0, 3.0, 241)
    positions = [_position(reported_level(t, se, SEED_CUTS, threshold)) for t in thetas]
    assert all(b >= a for a, b in itertools.pairwise(positions))


@given(st.floats(-3, 3), st.floats(0.05, 1.0), st.floats(0.5, 0.95))
def test_a_more_precise_measure_reports_a_single_level_at_least_as_often(theta, se, threshold):
    if reported_level(theta, se * 1.5, SEED_CUTS, threshold).between is None:
        assert reported_level(theta, se, SEED_CUTS, threshold).between is None
