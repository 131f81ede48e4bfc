import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from palier.engine import level, level_probabilities
from palier.engine.score import classified

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
