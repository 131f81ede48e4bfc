import numpy as np
import pytest

from palier.engine import CatConfig, ItemBank, simulate
from tests.engine.factories import make_bank


def test_a_simulation_reports_lengths_errors_and_exposure():
    bank = make_bank(80)
    result = simulate(
        bank,
        CatConfig(se_target=0.4, max_items=20),
        np.linspace(-2, 2, 30),
        np.random.default_rng(0),
    )
    assert result.lengths.shape == (30,) and result.theta.shape == (30, 1)
    assert 1 <= result.mean_length <= 20
    assert result.exposure.shape == (80,) and np.all(result.exposure <= 1)
    assert result.exposure.sum() == pytest.approx(result.mean_length)
    assert sum(result.stop_reasons.values()) == 30
    assert sum(band.n for band in result.bands) == 30


def test_a_simulation_replays_exactly_with_the_same_seed():
    bank = make_bank(60)
    config = CatConfig(se_target=0.4, randomesque=3)
    first = simulate(bank, config, np.zeros(10), np.random.default_rng(5))
    again = simulate(bank, config, np.zeros(10), np.random.default_rng(5))
    assert np.array_equal(first.theta, again.theta) and np.array_equal(first.lengths, again.lengths)


def test_thetas_must_match_the_number_of_areas():
    with pytest.raises(ValueError, match="shape"):
        simulate(make_bank(20, n_areas=2), CatConfig(), np.zeros(5), np.random.default_rng(0))
    with pytest.raises(ValueError, match="finite"):
        simulate(make_bank(20), CatConfig(), np.array([np.nan]), np.random.default_rng(0))


@pytest.mark.slow
def test_a_unidimensional_cat_is_unbiased_and_its_reported_se_matches_its_rmse():
    bank = make_bank(300, seed=2)
    rng = np.random.default_rng(3)
    result = simulate(bank, CatConfig(se_target=0.3, max_items=40), rng.normal(size=800), rng)
    assert abs(result.bias[0]) < 0.04
    assert result.rmse[0] == pytest.approx(result.mean_se[0], rel=0.1)


@pytest.mark.slow
def test_a_multidimensional_cat_recovers_thetas_with_reported_se_matching_the_rmse():
    n_areas = 3
    bank = make_bank(240, n_areas=n_areas, seed=7)
    correlation = np.full((n_areas, n_areas), 0.7) + 0.3 * np.eye(n_areas)
    rng = np.random.default_rng(8)
    thetas = rng.multivariate_normal(np.zeros(n_areas), correlation, size=500)
    config = CatConfig(correlation=correlation, se_target=0.4, max_items=60)
    result = simulate(bank, config, thetas, rng)
    assert np.all(np.abs(result.bias) < 0.06)
    assert result.rmse == pytest.approx(result.mean_se, rel=0.1)
    independent = simulate(bank, CatConfig(se_target=0.4, max_items=60), thetas, rng)
    assert result.mean_length < 0.85 * independent.mean_length


def test_restricted_selection_with_refreshed_rates_keeps_every_item_near_its_cap():
    bank = make_bank(120, seed=4)
    thetas = np.random.default_rng(9).normal(size=120)
    free = simulate(bank, CatConfig(se_target=0.4, max_items=15), thetas, np.random.default_rng(1))
    assert free.max_exposure > 0.9  # every test starts with the same item
    config = CatConfig(se_target=0.4, max_items=15, max_exposure_rate=0.3)
    restricted = simulate(bank, config, thetas, np.random.default_rng(1), exposure_refresh=1)
    # Refreshed after every test, an item is given at most once more after reaching its cap.
    assert restricted.max_exposure <= 0.3 + 1 / 120
    again = simulate(bank, config, thetas, np.random.default_rng(1), exposure_refresh=1)
    assert np.array_equal(restricted.exposure, again.exposure)


def test_refreshing_exposure_rates_needs_a_maximum_rate():
    with pytest.raises(ValueError, match="max_exposure_rate"):
        simulate(
            make_bank(20), CatConfig(), np.zeros(3), np.random.default_rng(0), exposure_refresh=5
        )
    with pytest.raises(ValueError, match="at least 1"):
        config = CatConfig(max_exposure_rate=0.3)
        simulate(make_bank(20), config, np.zeros(3), np.random.default_rng(0), exposure_refresh=0)


@pytest.mark.slow
def test_areas_stopped_by_their_level_probability_are_right_as_often_as_they_claim():
    from palier.engine import level, level_probabilities

    cuts = (-1.0, 0.0, 1.0)
    rng = np.random.default_rng(11)
    bank = ItemBank(
        [f"item-{index}" for index in range(200)],
        np.zeros(200, dtype=int),
        rng.lognormal(np.log(1.5), 0.25, 200),
        rng.normal(0.0, 1.2, 200),
    )
    config = CatConfig(
        se_target=0.1, max_items=20, cut_scores=(cuts,), level_probability_target=0.9
    )
    rng = np.random.default_rng(12)
    result = simulate(bank, config, rng.normal(size=300), rng)
    probabilities = level_probabilities(result.theta[:, 0], result.se[:, 0], cuts)
    right = probabilities.argmax(axis=1) == level(result.true_theta[:, 0], cuts)
    confidence = probabilities.max(axis=1)
    # Stopped by the rule, or reaching the target with the last item.
    stopped = confidence >= 0.9
    assert int(stopped.sum()) >= result.stop_reasons.get("level_probability", 0) > 100
    sampling_sd = np.sqrt(0.9 * 0.1 / stopped.sum())
    assert right[stopped].mean() >= 0.9 - 3 * sampling_sd
    # Calibrated overall: the mean claimed probability matches the share right.
    assert abs(right.mean() - confidence.mean()) < 0.05
