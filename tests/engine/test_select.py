import numpy as np
import pytest

from palier.engine import CatConfig
from palier.engine.estimate import Estimate
from palier.engine.irt import information
from palier.engine.select import criterion
from tests.engine.factories import make_bank


def posterior_information(plan, estimate):
    return plan.prior_precision + np.diag(estimate.information)


@pytest.mark.parametrize("rule", ["d_optimal", "a_optimal"])
def test_closed_form_criteria_rank_items_as_the_brute_force_determinant_and_trace(rule):
    bank = make_bank(30, n_areas=3, seed=4)
    correlation = np.array([[1.0, 0.6, 0.3], [0.6, 1.0, 0.5], [0.3, 0.5, 1.0]])
    plan = CatConfig(correlation=correlation, selection=rule).plan(bank)
    theta = np.array([0.4, -0.2, 1.0])
    estimate = Estimate(theta, np.ones(3), np.eye(3), np.array([2.0, 0.5, 1.0]))
    candidates = np.arange(bank.n_items)
    values = criterion(candidates, bank, plan, estimate)
    base = posterior_information(plan, estimate)
    brute = []
    for index in candidates:
        added = base.copy()
        area = bank.areas[index]
        added[area, area] += information(
            theta[area], bank.discrimination[index], bank.difficulty[index]
        )
        if rule == "d_optimal":
            brute.append(np.linalg.det(added))
        else:
            brute.append(-np.trace(np.linalg.inv(added)))
    assert np.argmax(values) == np.argmax(brute)
    assert np.array_equal(np.argsort(values), np.argsort(brute))


def test_maximum_information_ranks_by_fisher_information_at_theta():
    bank = make_bank(30, seed=2)
    plan = CatConfig(selection="max_info").plan(bank)
    estimate = Estimate(np.array([0.8]), np.ones(1), np.eye(1), np.zeros(1))
    values = criterion(np.arange(30), bank, plan, estimate)
    assert np.allclose(values, information(0.8, bank.discrimination, bank.difficulty))


def test_randomesque_picks_among_the_best_k_items_only():
    from palier.engine import next_step

    bank = make_bank(50, seed=1)
    config = CatConfig(randomesque=4)
    info = information(0.0, bank.discrimination, bank.difficulty)
    best = {bank.item_ids[index] for index in np.argsort(-info)[:4]}
    picked = {
        next_step(bank, [], config, np.random.default_rng(seed)).item_id for seed in range(60)
    }
    assert picked == best
