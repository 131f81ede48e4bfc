import numpy as np
import pytest

from palier.engine.mstep import Priors, gradient_and_information, maximise, objective

NODES = np.linspace(-5, 5, 41)


def expected_counts(a, b, c, n=500.0):
    weights = np.exp(-0.5 * NODES**2)
    total = n * weights / weights.sum() * np.ones((a.size, 1))
    p = c[:, None] + (1 - c[:, None]) / (1 + np.exp(-a[:, None] * (NODES - b[:, None])))
    return total * p, total


@pytest.mark.parametrize("three_pl", [False, True])
def test_the_score_is_the_gradient_of_the_objective(three_pl):
    a, b = np.array([0.8, 1.5]), np.array([-0.5, 1.0])
    c = np.array([0.15, 0.25]) if three_pl else np.zeros(2)
    right, total = expected_counts(a, b, c)
    d = -a * b * 0.9
    gamma = np.log(np.array([0.2, 0.3]) / 0.8) if three_pl else None
    priors = Priors()
    gradient, information = gradient_and_information(NODES, right, total, a, d, gamma, priors)
    step = 1e-6
    params = [a, d] + ([gamma] if three_pl else [])
    for k in range(len(params)):
        shifted_up = [p.copy() for p in params]
        shifted_down = [p.copy() for p in params]
        shifted_up[k] += step
        shifted_down[k] -= step
        up = objective(NODES, right, total, *shifted_up, *([] if three_pl else [None]), priors)
        down = objective(NODES, right, total, *shifted_down, *([] if three_pl else [None]), priors)
        assert gradient[:, k] == pytest.approx((up - down) / (2 * step), rel=1e-4, abs=1e-4)
    assert np.all(np.linalg.eigvalsh(information) > 0)


def test_maximise_recovers_the_parameters_from_exact_expected_counts():
    a, b = np.array([0.8, 1.5, 2.0]), np.array([-0.5, 1.0, 0.0])
    right, total = expected_counts(a, b, np.zeros(3), n=1e6)
    estimate_a, estimate_d = np.ones(3), np.zeros(3)
    for _ in range(20):
        estimate_a, estimate_d, _ = maximise(
            NODES, right, total, estimate_a, estimate_d, None, np.ones(3, bool), Priors(None, None)
        )
    assert estimate_a == pytest.approx(a, abs=1e-6)
    assert -estimate_d / estimate_a == pytest.approx(b, abs=1e-6)


def test_fixed_items_are_left_untouched():
    right, total = expected_counts(np.ones(2), np.zeros(2), np.zeros(2))
    a, d, _ = maximise(
        NODES,
        right,
        total,
        np.array([3.0, 3.0]),
        np.array([1.0, 1.0]),
        None,
        np.array([True, False]),
        Priors(),
    )
    assert a[1] == 3.0 and d[1] == 1.0 and a[0] != 3.0
