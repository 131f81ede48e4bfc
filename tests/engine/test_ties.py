import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from palier.engine.score import classified, level
from palier.engine.ties import (
    TIE_RELATIVE_TOLERANCE,
    at_most,
    first_best,
    rank,
    rank_head,
)


def up(value: float) -> float:
    return float(np.nextafter(value, np.inf))


def down(value: float) -> float:
    return float(np.nextafter(value, -np.inf))


def test_values_one_ulp_apart_in_either_direction_rank_by_position():
    for second, third in [(up(0.25), down(0.25)), (down(0.25), up(0.25)), (0.25, 0.25)]:
        values = np.array([0.1, second, third, 0.3, 0.25])
        assert rank(values).tolist() == [3, 1, 2, 4, 0]
        assert first_best(values[[0, 1, 2, 4]]) == 1


def test_values_further_apart_than_the_tolerance_rank_by_value():
    values = np.array([0.25, 0.25 * (1 + 10 * TIE_RELATIVE_TOLERANCE), 0.1])
    assert rank(values).tolist() == [1, 0, 2]
    assert first_best(values) == 1


# Values from a few levels, each moved by a few ulps: many near-ties, as in a provisional bank.
noisy_values = st.lists(
    st.tuples(st.sampled_from([0.0, 0.1, 0.19661193324148188, 0.25, 1.5]), st.integers(-3, 3)),
    min_size=1,
    max_size=40,
).map(
    lambda pairs: np.array(
        [level_value + ulps * np.spacing(max(level_value, 1e-300)) for level_value, ulps in pairs]
    )
)


@given(noisy_values, st.integers(1, 45))
def test_the_head_of_a_ranking_is_the_ranking_cut_short(values, count):
    assert rank_head(values, count).tolist() == rank(values)[:count].tolist()


@given(noisy_values)
def test_the_best_value_is_the_first_of_the_ranking(values):
    assert first_best(values) == rank(values)[0]


@given(noisy_values)
def test_the_ranking_ignores_ulp_noise(values):
    rounded = np.round(values, 12)  # the same values without their noise
    assert rank(values).tolist() == rank(rounded).tolist()


def test_an_se_one_ulp_above_its_target_reaches_it():
    assert at_most(up(0.3), 0.3) and at_most(0.3, 0.3) and at_most(down(0.3), 0.3)
    assert not at_most(0.3 * (1 + 10 * TIE_RELATIVE_TOLERANCE), 0.3)


def test_a_theta_one_ulp_below_a_cut_score_reaches_its_level():
    assert level([down(0.0), 0.0, up(0.0), down(0.5)], [0.0, 0.5]).tolist() == [1, 1, 1, 2]
    assert level([-1e-6], [0.0]).tolist() == [0]


def test_an_interval_ending_one_ulp_below_a_cut_score_is_not_classified():
    # 0.1 + 3 * 0.3 is 1.0 in exact arithmetic but 0.9999999999999999 in floating point: the
    # upper bound is tied with the cut at 1.0, so the interval touches the next level.
    assert not classified(0.1, 0.3, [1.0], 3.0)
    assert classified(0.05, 0.3, [1.0], 3.0)
