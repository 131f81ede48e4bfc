import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from palier.engine import Answer, CatConfig, next_step, simulate, sympson_hetter_parameters
from palier.engine.exposure import administration_probabilities, sympson_hetter_pick
from tests.engine.factories import make_bank

parameters = st.lists(st.floats(0.01, 1.0), min_size=1, max_size=30)


@given(parameters)
def test_an_item_is_never_administered_more_often_than_its_parameter_allows(k):
    probabilities = administration_probabilities(k)
    assert np.all(probabilities <= np.asarray(k) + 1e-12)
    assert probabilities.sum() <= 1 + 1e-12


def test_the_lottery_matches_its_exact_administration_probabilities():
    k = np.array([0.3, 0.5, 1.0, 0.2])
    rng = np.random.default_rng(0)
    ranked = np.arange(4)
    draws = np.array([sympson_hetter_pick(ranked, k, rng.random(4)) for _ in range(20_000)])
    frequencies = np.bincount(draws, minlength=4) / draws.size
    assert frequencies == pytest.approx(administration_probabilities(k), abs=0.015)


def test_an_item_with_a_small_parameter_is_mostly_passed_over_at_the_first_step():
    bank = make_bank(40, seed=3)
    best = next_step(bank, [], CatConfig(), np.random.default_rng(0)).item_id
    config = CatConfig(exposure_control={best: 0.1})
    picks = [
        next_step(bank, [], config, np.random.default_rng(seed)).item_id for seed in range(400)
    ]
    assert picks.count(best) / len(picks) == pytest.approx(0.1, abs=0.05)


def test_an_item_refused_by_its_lottery_stays_refused_for_the_whole_attempt():
    bank = make_bank(40, seed=3)
    best = next_step(bank, [], CatConfig(), np.random.default_rng(0)).item_id
    config = CatConfig(exposure_control={best: 0.1})
    seed = next(
        s
        for s in range(100)
        if next_step(bank, [], config, np.random.default_rng(s)).item_id != best
    )
    rng = np.random.default_rng(seed)
    answers = []
    for _ in range(10):
        step = next_step(bank, answers, config, np.random.default_rng(seed))
        assert step.item_id != best
        answers.append(Answer(step.item_id, bool(rng.random() < 0.5)))


@pytest.mark.slow
def test_tuned_sympson_hetter_parameters_bring_the_most_exposed_items_down_to_the_cap():
    bank = make_bank(200, seed=5)
    config = CatConfig(se_target=0.4, max_items=20)
    rng = np.random.default_rng(1)
    free = simulate(bank, config, rng.normal(size=500), rng)
    assert free.max_exposure > 0.9
    tuning = sympson_hetter_parameters(
        bank, config, rng.normal(size=500), rng, max_rate=0.3, iterations=8, margin=0.03
    )
    assert tuning.max_exposure_history[0] == pytest.approx(1.0)
    tuned = CatConfig(se_target=0.4, max_items=20, exposure_control=tuning.parameters)
    fresh = simulate(bank, tuned, rng.normal(size=500), np.random.default_rng(2))
    # 500 simulees: the sampling SD of a rate near 0.3 is about 0.02, and the maximum over the
    # ~50 items near the cap sits about two SDs above it.
    assert fresh.max_exposure <= 0.3 + 0.08
    assert fresh.mean_length <= 1.5 * free.mean_length
