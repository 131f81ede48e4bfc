"""M-step of the Bock-Aitkin EM: maximise each item's expected complete-data log-posterior.

With expected counts ``r_q`` (correct) and ``n_q`` (all answers) at node ``theta_q``, an item's
objective is

    Q(phi) = sum_q r_q log P_q + (n_q - r_q) log(1 - P_q) + log prior(phi)

in the parameters ``phi = (a, d, gamma)`` with intercept ``d = -a b`` and ``c = logistic(gamma)``
(3PL only). It is maximised for all items at once by Fisher scoring with step halving:
score ``sum_q (r_q - n_q P_q) / (P_q (1 - P_q)) dP_q/dphi`` and information
``sum_q n_q / (P_q (1 - P_q)) dP_q/dphi dP_q/dphi'``, where, with ``s = logistic(a theta + d)``,
``dP/da = (1 - c) s (1 - s) theta``, ``dP/dd = (1 - c) s (1 - s)``,
``dP/dgamma = c (1 - c) (1 - s)``.

Priors (Mislevy, 1986): ``log a ~ N(mu_a, sigma_a^2)`` (density on ``a``) and
``c ~ Beta(alpha, beta)`` (density on ``c``).

Reference: Mislevy, R. J. (1986). Bayes modal estimation in item response models.
*Psychometrika*, 51, 177-195.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit

from palier.engine.arrays import BoolArray, FloatArray

PROBABILITY_FLOOR = 1e-12
MAX_STEP_HALVINGS = 20
#: Scoring iterations per M-step (the EM loop repeats anyway).
SCORING_ITERATIONS = 4
SCORING_TOLERANCE = 1e-7


@dataclass(frozen=True)
class Priors:
    """Item priors; ``None`` switches a prior off."""

    log_discrimination: tuple[float, float] | None = (0.0, 1.0)
    guessing: tuple[float, float] | None = (5.0, 17.0)


def _probabilities(
    nodes: FloatArray, a: FloatArray, d: FloatArray, gamma: FloatArray | None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    s = expit(a[:, None] * nodes[None, :] + d[:, None])
    c = np.zeros((a.size, 1)) if gamma is None else expit(gamma)[:, None]
    p = np.clip(c + (1 - c) * s, PROBABILITY_FLOOR, 1 - PROBABILITY_FLOOR)
    return s, c, p


def objective(
    nodes: FloatArray,
    correct: FloatArray,
    total: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray | None,
    priors: Priors,
) -> FloatArray:
    """Expected complete-data log-posterior of each item (``-inf`` where ``a <= 0``)."""
    positive = a > 0
    safe_a = np.where(positive, a, 1.0)
    _, c, p = _probabilities(nodes, safe_a, d, gamma)
    value = (correct * np.log(p) + (total - correct) * np.log1p(-p)).sum(axis=1)
    value += log_prior(safe_a, c[:, 0], priors, gamma is not None)
    return np.where(positive, value, -np.inf)


def log_prior(a: FloatArray, c: FloatArray, priors: Priors, three_pl: bool) -> FloatArray:
    """Log prior density of ``a`` (lognormal) and, for the 3PL, of ``c`` (beta), up to constants."""
    value = np.zeros(a.size)
    if priors.log_discrimination is not None:
        mu, sigma = priors.log_discrimination
        value += -np.log(a) - (np.log(a) - mu) ** 2 / (2 * sigma**2)
    if three_pl and priors.guessing is not None:
        alpha, beta = priors.guessing
        value += (alpha - 1) * np.log(c) + (beta - 1) * np.log1p(-c)
    return value


def gradient_and_information(
    nodes: FloatArray,
    correct: FloatArray,
    total: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray | None,
    priors: Priors,
) -> tuple[FloatArray, FloatArray]:
    """Score ``(n_items, k)`` and Fisher information ``(n_items, k, k)`` of the objective."""
    s, c, p = _probabilities(nodes, a, d, gamma)
    slope = (1 - c) * s * (1 - s)
    derivatives = [slope * nodes[None, :], slope]
    if gamma is not None:
        derivatives.append(c * (1 - c) * (1 - s))
    jacobian = np.stack(derivatives, axis=-1)  # (items, Q, k)
    scale = 1.0 / (p * (1 - p))
    residual = (correct - total * p) * scale
    gradient = np.einsum("iq,iqk->ik", residual, jacobian)
    info = np.einsum("iq,iqk,iql->ikl", total * scale, jacobian, jacobian)
    if priors.log_discrimination is not None:
        mu, sigma = priors.log_discrimination
        gradient[:, 0] += -1 / a - (np.log(a) - mu) / (sigma**2 * a)
        info[:, 0, 0] += 1 / (sigma**2 * a**2)
    if gamma is not None and priors.guessing is not None:
        alpha, beta = priors.guessing
        cc = c[:, 0]
        gradient[:, 2] += (alpha - 1) * (1 - cc) - (beta - 1) * cc
        info[:, 2, 2] += max(alpha + beta - 2, 0.0) * cc * (1 - cc)
    return gradient, info


def maximise(
    nodes: FloatArray,
    correct: FloatArray,
    total: FloatArray,
    a: FloatArray,
    d: FloatArray,
    gamma: FloatArray | None,
    free: BoolArray,
    priors: Priors,
    iterations: int = SCORING_ITERATIONS,
) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    """Fisher scoring with step halving on the ``free`` items; returns updated ``(a, d, gamma)``."""
    a, d = a.copy(), d.copy()
    gamma = None if gamma is None else gamma.copy()
    index = np.flatnonzero(free)
    if index.size == 0:
        return a, d, gamma
    r, n = correct[index], total[index]
    params = np.stack([a[index], d[index]] + ([] if gamma is None else [gamma[index]]), axis=1)

    def split(values: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray | None]:
        return values[:, 0], values[:, 1], None if gamma is None else values[:, 2]

    current = objective(nodes, r, n, *split(params), priors)
    for _ in range(iterations):
        gradient, info = gradient_and_information(nodes, r, n, *split(params), priors)
        info = info + 1e-9 * np.eye(params.shape[1])
        step = np.linalg.solve(info, gradient[..., None])[..., 0]
        improving = np.zeros(index.size, dtype=bool)
        candidate = params.copy()
        value = current.copy()
        pending = np.ones(index.size, dtype=bool)
        for _ in range(MAX_STEP_HALVINGS):
            trial = params[pending] + step[pending]
            trial_value = objective(nodes, r[pending], n[pending], *split(trial), priors)
            accept = trial_value >= current[pending] - 1e-10
            rows = np.flatnonzero(pending)[accept]
            candidate[rows] = trial[accept]
            value[rows] = trial_value[accept]
            improving[rows] = True
            pending[rows] = False
            if not pending.any():
                break
            step[pending] /= 2
        moved = np.max(np.abs(candidate - params), initial=0.0)
        params, current = candidate, value
        if moved < SCORING_TOLERANCE:
            break
    a[index], d[index] = params[:, 0], params[:, 1]
    if gamma is not None:
        gamma[index] = params[:, 2]
    return a, d, gamma
