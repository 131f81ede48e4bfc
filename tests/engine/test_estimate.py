"""Golden trajectories pinned by brute-force quadrature, and properties of EAP/MAP."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import expit

from palier.engine import Answer, CatConfig, ItemBank, next_step

DISCRIMINATION = np.array([1.0, 1.5, 0.8, 2.0, 1.2, 0.6, 1.7, 1.1])
DIFFICULTY = np.array([0.0, 0.5, -1.0, 1.2, -0.3, 2.0, 0.8, -1.5])
GUESSING = np.array([0.2, 0.0, 0.25, 0.1, 0.15, 0.0, 0.2, 0.3])
ANSWERS = [True, True, False, True, False, True, True, False]

# (EAP, posterior SD, MAP) after each answer, N(0, 1) prior; computed once by brute force on
# 240,001 nodes over [-12, 12] (see brute_force below, which re-derives them in the test).
GOLDEN_2PL = [
    (0.413242, 0.910621, 0.40110),
    (0.893577, 0.789485, 0.85400),
    (0.522221, 0.752807, 0.50670),
    (1.124482, 0.643478, 1.10320),
    (0.753892, 0.607900, 0.75930),
    (0.898987, 0.599991, 0.89370),
    (1.131697, 0.549402, 1.10380),
    (0.833301, 0.532627, 0.83000),
]
GOLDEN_3PL = [
    (0.275495, 0.961303, 0.29690),
    (0.832468, 0.809431, 0.80690),
    (0.445484, 0.777478, 0.44740),
    (0.897799, 0.753895, 0.97910),
    (0.418027, 0.747331, 0.53310),
    (0.643118, 0.709620, 0.72970),
    (0.874650, 0.664282, 0.94590),
    (0.418836, 0.707696, 0.56010),
]


def golden_bank(three_pl: bool) -> ItemBank:
    return ItemBank(
        [f"g{index}" for index in range(8)],
        np.zeros(8, dtype=int),
        DISCRIMINATION,
        DIFFICULTY,
        GUESSING if three_pl else None,
    )


def brute_force(n_answers: int, three_pl: bool) -> tuple[float, float, float]:
    grid = np.linspace(-12, 12, 240_001)
    log_posterior = -0.5 * grid**2
    for index in range(n_answers):
        c = GUESSING[index] if three_pl else 0.0
        p = c + (1 - c) * expit(DISCRIMINATION[index] * (grid - DIFFICULTY[index]))
        log_posterior += np.log(p if ANSWERS[index] else 1 - p)
    weights = np.exp(log_posterior - log_posterior.max())
    weights /= weights.sum()
    mean = float(weights @ grid)
    return mean, float(np.sqrt(weights @ (grid - mean) ** 2)), float(grid[np.argmax(log_posterior)])


def history(n_answers: int) -> list[Answer]:
    return [Answer(f"g{index}", ANSWERS[index]) for index in range(n_answers)]


@pytest.mark.parametrize(("three_pl", "golden"), [(False, GOLDEN_2PL), (True, GOLDEN_3PL)])
def test_eap_and_posterior_sd_follow_the_golden_trajectory(three_pl, golden):
    bank = golden_bank(three_pl)
    config = CatConfig(max_items=20, se_target=0.01)
    for n_answers, (eap, sd, _) in enumerate(golden, start=1):
        step = next_step(bank, history(n_answers), config, np.random.default_rng(0))
        assert step.theta[0] == pytest.approx(eap, abs=2e-6)
        assert step.se[0] == pytest.approx(sd, abs=2e-6)


@pytest.mark.parametrize(("three_pl", "golden"), [(False, GOLDEN_2PL), (True, GOLDEN_3PL)])
def test_map_follows_the_golden_trajectory(three_pl, golden):
    bank = golden_bank(three_pl)
    config = CatConfig(max_items=20, se_target=0.01, estimator="map")
    for n_answers, (_, _, mode) in enumerate(golden, start=1):
        step = next_step(bank, history(n_answers), config, np.random.default_rng(0))
        assert step.theta[0] == pytest.approx(mode, abs=2e-4)


@pytest.mark.parametrize(("three_pl", "golden"), [(False, GOLDEN_2PL), (True, GOLDEN_3PL)])
def test_the_golden_values_are_re_derived_by_brute_force(three_pl, golden):
    for n_answers in (1, 4, 8):
        eap, sd, mode = brute_force(n_answers, three_pl)
        assert (eap, sd) == pytest.approx(golden[n_answers - 1][:2], abs=1e-6)
        assert mode == pytest.approx(golden[n_answers - 1][2], abs=1e-5)


def test_before_any_answer_the_estimate_is_the_prior():
    step = next_step(
        golden_bank(False), [], CatConfig(prior_mean=0.5, prior_sd=1.5), np.random.default_rng(0)
    )
    assert step.theta[0] == pytest.approx(0.5, abs=1e-9)
    assert step.se[0] == pytest.approx(1.5, abs=1e-6)


@pytest.mark.parametrize("correct", [True, False])
def test_all_correct_or_all_wrong_starts_stay_finite_and_move_monotonically(correct):
    bank = golden_bank(False)
    config = CatConfig(max_items=20, se_target=0.01)
    thetas = []
    for n_answers in range(1, 9):
        answers = [Answer(f"g{index}", correct) for index in range(n_answers)]
        step = next_step(bank, answers, config, np.random.default_rng(0))
        assert np.all(np.isfinite(step.theta)) and np.all(np.isfinite(step.se))
        thetas.append(step.theta[0])
    steps = np.diff(thetas)
    assert np.all(steps > 0) if correct else np.all(steps < 0)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.booleans(), min_size=0, max_size=7),
    st.integers(0, 7),
    st.booleans(),
    st.sampled_from(["eap", "map"]),
)
def test_a_correct_answer_raises_the_estimate_and_a_wrong_one_lowers_it(
    answers, next_item, three_pl, estimator
):
    bank = golden_bank(three_pl)
    config = CatConfig(max_items=20, se_target=0.01, estimator=estimator)
    answered = [
        Answer(f"g{index}", value) for index, value in enumerate(answers) if index != next_item
    ]
    before = next_step(bank, answered, config, np.random.default_rng(0)).theta[0]
    after_right = next_step(
        bank, [*answered, Answer(f"g{next_item}", True)], config, np.random.default_rng(0)
    )
    after_wrong = next_step(
        bank, [*answered, Answer(f"g{next_item}", False)], config, np.random.default_rng(0)
    )
    assert after_right.theta[0] > before > after_wrong.theta[0]


def two_area_bank() -> ItemBank:
    return ItemBank(
        [f"q{index}" for index in range(6)],
        [0, 0, 0, 1, 1, 1],
        [1.2, 0.8, 1.5, 1.0, 2.0, 0.7],
        [-0.5, 0.3, 1.0, -1.2, 0.4, 0.0],
    )


TWO_AREA_HISTORY = [Answer("q0", True), Answer("q3", False), Answer("q1", True), Answer("q4", True)]


def brute_force_correlated(
    answers: list[Answer], correlation: float
) -> tuple[np.ndarray, np.ndarray]:
    bank = two_area_bank()
    grid = np.linspace(-8, 8, 801)
    first, second = np.meshgrid(grid, grid, indexing="ij")
    precision = np.linalg.inv(np.array([[1, correlation], [correlation, 1]]))
    log_posterior = -0.5 * (
        precision[0, 0] * first**2
        + 2 * precision[0, 1] * first * second
        + precision[1, 1] * second**2
    )
    for answer in answers:
        index = bank.index_of(answer.item_id)
        theta = first if bank.areas[index] == 0 else second
        p = expit(bank.discrimination[index] * (theta - bank.difficulty[index]))
        log_posterior += np.log(p if answer.correct else 1 - p)
    weights = np.exp(log_posterior - log_posterior.max())
    weights /= weights.sum()
    mean = np.array([(weights * first).sum(), (weights * second).sum()])
    sd = np.sqrt(
        [(weights * (first - mean[0]) ** 2).sum(), (weights * (second - mean[1]) ** 2).sum()]
    )
    return mean, sd


@pytest.mark.parametrize("n_answers", [1, 2, 3, 4])
def test_correlated_eap_matches_brute_force_two_dimensional_quadrature(n_answers):
    correlation = np.array([[1.0, 0.6], [0.6, 1.0]])
    mean, sd = brute_force_correlated(TWO_AREA_HISTORY[:n_answers], 0.6)
    fine = CatConfig(correlation=correlation, mv_quadrature_points=8, se_target=0.01)
    step = next_step(two_area_bank(), TWO_AREA_HISTORY[:n_answers], fine, np.random.default_rng(0))
    assert step.theta == pytest.approx(mean, abs=1e-4)
    assert step.se == pytest.approx(sd, abs=1e-4)
    default = CatConfig(correlation=correlation, se_target=0.01)
    step = next_step(
        two_area_bank(), TWO_AREA_HISTORY[:n_answers], default, np.random.default_rng(0)
    )
    assert step.theta == pytest.approx(mean, abs=3e-3)
    assert step.se == pytest.approx(sd, abs=5e-3)


def test_with_a_positive_correlation_a_correct_answer_in_one_area_raises_the_other():
    config = CatConfig(correlation=[[1.0, 0.7], [0.7, 1.0]], se_target=0.01)
    step = next_step(two_area_bank(), [Answer("q0", True)], config, np.random.default_rng(0))
    assert step.theta[0] > 0 and step.theta[1] > 0
    assert step.se[1] < 1.0


def test_without_correlation_an_area_without_answers_keeps_its_prior():
    step = next_step(
        two_area_bank(), [Answer("q0", True)], CatConfig(se_target=0.01), np.random.default_rng(0)
    )
    assert step.theta[1] == pytest.approx(0.0, abs=1e-9)
    assert step.se[1] == pytest.approx(1.0, abs=1e-6)


def test_correlated_map_reports_the_laplace_posterior_sd():
    correlation = np.array([[1.0, 0.5], [0.5, 1.0]])
    config = CatConfig(correlation=correlation, estimator="map", se_target=0.01)
    step = next_step(two_area_bank(), TWO_AREA_HISTORY, config, np.random.default_rng(0))
    mean, sd = brute_force_correlated(TWO_AREA_HISTORY, 0.5)
    # Mode and Laplace SD differ from the posterior mean and SD, but only slightly here.
    assert step.theta == pytest.approx(mean, abs=0.1)
    assert step.se == pytest.approx(sd, abs=0.05)
