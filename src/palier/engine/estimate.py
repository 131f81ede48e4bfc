"""Ability estimation: EAP and MAP, per area or under a correlated (multivariate normal) prior.

Independent areas (no correlation matrix): each area's posterior is evaluated on a fixed grid
``theta_q = mu + sigma z_q`` (``z`` from -6 to 6 prior SDs, 61 nodes by default):

    p(theta | x) ~ phi((theta - mu) / sigma) * prod_i P_i(theta)^x_i (1 - P_i(theta))^(1 - x_i)

EAP is the posterior mean and the reported SE the posterior SD (Bock & Mislevy, 1982). MAP is
the grid maximum refined by Fisher scoring; its SE is ``1 / sqrt(1/sigma^2 + sum_i I_i(MAP))``.

Correlated areas: the prior is ``N(mu, Sigma)`` with ``Sigma = diag(sigma) R diag(sigma)``;
items load on one area, so the log-posterior is
``sum_d l_d(theta_d) - (theta - mu)' Sigma^-1 (theta - mu) / 2``. MAP is found by multivariate
Fisher scoring (Segall, 1996); EAP and the posterior covariance by adaptive Gauss-Hermite
quadrature centred on the MAP and scaled by the Laplace covariance (Naylor & Smith, 1982;
Pinheiro & Bates, 1995).

All-correct and all-wrong starts need no special rule: the proper prior keeps every estimate
finite (the posterior is a prior times a bounded likelihood), so a first correct answer moves
theta up by a finite, prior-controlled step instead of to +infinity as maximum likelihood would.

References: Bock, R. D., & Mislevy, R. J. (1982). Adaptive EAP estimation of ability in a
microcomputer environment. *Applied Psychological Measurement*, 6, 431-444. Segall, D. O.
(1996). Multidimensional adaptive testing. *Psychometrika*, 61, 331-354. Naylor, J. C., &
Smith, A. F. M. (1982). Applications of a method for the efficient computation of posterior
distributions. *Applied Statistics*, 31, 214-225. Pinheiro, J. C., & Bates, D. M. (1995).
Approximations to the log-likelihood function in the nonlinear mixed-effects model. *JCGS*, 4.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss

from palier.engine.arrays import BoolArray, FloatArray, IntArray
from palier.engine.irt import information, log_likelihood_terms, score_and_information

#: Fisher-scoring iterations for MAP; each one at least halves the error near the mode.
MAP_MAX_ITERATIONS = 50
MAP_TOLERANCE = 1e-10
#: Step halvings allowed when a scoring step does not increase the log-posterior.
MAX_STEP_HALVINGS = 30


class Responses:
    """Scored answers: the parameters of each answered item and the answer.

    Built from the bank's arrays and the answered positions; each per-answer array is gathered
    on first use only (the usual EAP path never needs them).
    """

    def __init__(
        self,
        items: IntArray,
        correct: BoolArray,
        areas: IntArray,
        discrimination: FloatArray,
        difficulty: FloatArray,
        guessing: FloatArray,
    ) -> None:
        self.items = items
        self.correct = correct
        self._bank_arrays = (areas, discrimination, difficulty, guessing)

    @cached_property
    def areas(self) -> IntArray:
        return self._bank_arrays[0][self.items]

    @cached_property
    def discrimination(self) -> FloatArray:
        return self._bank_arrays[1][self.items]

    @cached_property
    def difficulty(self) -> FloatArray:
        return self._bank_arrays[2][self.items]

    @cached_property
    def guessing(self) -> FloatArray:
        return self._bank_arrays[3][self.items]


@dataclass(frozen=True)
class Estimate:
    """Ability per area with its posterior SD and covariance.

    ``information`` is the test information per area at ``theta`` when the estimator needed it
    (MAP, correlated model); :meth:`test_information` computes it otherwise.
    """

    theta: FloatArray
    se: FloatArray
    covariance: FloatArray
    information: FloatArray | None = None
    responses: Responses | None = None

    def test_information(self) -> FloatArray:
        """Fisher information of the answered items about each area at ``theta``."""
        if self.information is not None:
            return self.information
        if self.responses is None:
            return np.zeros(self.theta.size)
        return area_information(self.theta, self.responses, self.theta.size)


def _area_sums(values: FloatArray, areas: IntArray, n_areas: int) -> FloatArray:
    """Sum the rows (or entries) of ``values`` by area: one-hot matrix product, no Python loop."""
    one_hot = np.zeros((n_areas, areas.size))
    one_hot[areas, np.arange(areas.size)] = 1.0
    return np.asarray(one_hot @ values, dtype=np.float64)


def area_information(theta: FloatArray, responses: Responses, n_areas: int) -> FloatArray:
    """Fisher information of the answered items about each area, at ``theta``."""
    info = information(
        theta[responses.areas],
        responses.discrimination,
        responses.difficulty,
        responses.guessing,
    )
    return _area_sums(info, responses.areas, n_areas)


def estimate_independent(
    responses: Responses,
    prior_mean: FloatArray,
    prior_sd: FloatArray,
    grid: FloatArray,
    estimator: str,
    terms: FloatArray | None = None,
    nodes: FloatArray | None = None,
) -> Estimate:
    """EAP or MAP for each area separately under independent normal priors (grid quadrature).

    ``grid`` holds the standardised nodes ``z_q``; area ``d`` is evaluated at
    ``mu_d + sigma_d z_q`` with log prior ``-z_q^2 / 2``. ``terms`` may pass the answers'
    log-likelihoods on those nodes, precomputed (one row per answer), and ``nodes`` the
    ``(n_areas, Q)`` nodes themselves.
    """
    n_areas = prior_mean.size
    thetas = prior_mean[:, None] + prior_sd[:, None] * grid[None, :] if nodes is None else nodes
    log_prior = -0.5 * grid**2
    if n_areas == 1 and estimator == "eap" and terms is not None:
        # The adaptive step's usual case, kept to a handful of array operations.
        log_posterior_1d = log_prior + terms.sum(axis=0)
        weights_1d = np.exp(log_posterior_1d - log_posterior_1d.max())
        weights_1d /= weights_1d.sum()
        nodes = thetas[0]
        mean = float(weights_1d @ nodes)
        variance_1d = float(weights_1d @ (nodes - mean) ** 2)
        return Estimate(
            np.array([mean]),
            np.array([np.sqrt(variance_1d)]),
            np.array([[variance_1d]]),
            None,
            responses,
        )
    if responses.items.size:
        if terms is None:
            terms = log_likelihood_terms(
                thetas[:1] if n_areas == 1 else thetas[responses.areas],
                responses.discrimination[:, None],
                responses.difficulty[:, None],
                responses.guessing[:, None],
                responses.correct[:, None],
            )
        if n_areas == 1:
            log_posterior = (log_prior + terms.sum(axis=0))[None, :]
        else:
            log_posterior = log_prior + _area_sums(terms, responses.areas, n_areas)
    else:
        log_posterior = np.tile(log_prior, (n_areas, 1))
    weights = np.exp(log_posterior - log_posterior.max(axis=1, keepdims=True))
    weights /= weights.sum(axis=1, keepdims=True)
    if estimator == "eap":
        theta = np.einsum("dq,dq->d", weights, thetas)
        variance = np.einsum("dq,dq->d", weights, (thetas - theta[:, None]) ** 2)
        return Estimate(theta, np.sqrt(variance), np.diag(variance), None, responses)
    theta = thetas[np.arange(n_areas), np.argmax(log_posterior, axis=1)]
    theta = _map_scoring_independent(theta, responses, prior_mean, prior_sd)
    info = area_information(theta, responses, n_areas)
    variance = 1.0 / (info + 1.0 / prior_sd**2)
    return Estimate(theta, np.sqrt(variance), np.diag(variance), info, responses)


def _map_scoring_independent(
    theta: FloatArray, responses: Responses, prior_mean: FloatArray, prior_sd: FloatArray
) -> FloatArray:
    n_areas = prior_mean.size
    if not responses.areas.size:
        return prior_mean.copy()
    lower = prior_mean - 10 * prior_sd
    upper = prior_mean + 10 * prior_sd
    for _ in range(MAP_MAX_ITERATIONS):
        score, info = score_and_information(
            theta[responses.areas],
            responses.discrimination,
            responses.difficulty,
            responses.guessing,
            responses.correct,
        )
        gradient = _area_sums(score, responses.areas, n_areas) - (theta - prior_mean) / prior_sd**2
        curvature = _area_sums(info, responses.areas, n_areas) + 1.0 / prior_sd**2
        step = gradient / curvature
        theta = np.clip(theta + step, lower, upper)
        if np.max(np.abs(step)) < MAP_TOLERANCE:
            break
    return theta


def _log_posterior_points(
    points: FloatArray, responses: Responses, prior_mean: FloatArray, precision: FloatArray
) -> FloatArray:
    """Log-posterior (up to a constant) at each row of ``points`` (K x n_areas)."""
    centred = points - prior_mean
    value = -0.5 * np.einsum("kd,de,ke->k", centred, precision, centred)
    if responses.areas.size:
        terms = log_likelihood_terms(
            points[:, responses.areas],
            responses.discrimination,
            responses.difficulty,
            responses.guessing,
            responses.correct,
        )
        value = value + terms.sum(axis=1)
    return np.asarray(value, dtype=np.float64)


def _map_correlated(
    responses: Responses, prior_mean: FloatArray, precision: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Multivariate MAP by Fisher scoring with step halving; returns (MAP, posterior precision)."""
    n_areas = prior_mean.size
    theta = prior_mean.copy()
    current = _log_posterior_points(theta[None, :], responses, prior_mean, precision)[0]
    hessian = precision.copy()
    for _ in range(MAP_MAX_ITERATIONS):
        score, info = score_and_information(
            theta[responses.areas],
            responses.discrimination,
            responses.difficulty,
            responses.guessing,
            responses.correct,
        )
        gradient = _area_sums(score, responses.areas, n_areas) - precision @ (theta - prior_mean)
        hessian = precision + np.diag(_area_sums(info, responses.areas, n_areas))
        step = np.linalg.solve(hessian, gradient)
        for _ in range(MAX_STEP_HALVINGS):
            candidate = theta + step
            value = _log_posterior_points(candidate[None, :], responses, prior_mean, precision)[0]
            if value >= current - 1e-12:
                break
            step = step / 2
        theta, current = candidate, value
        if np.max(np.abs(step)) < MAP_TOLERANCE:
            break
    info = area_information(theta, responses, n_areas)
    return theta, precision + np.diag(info)


@lru_cache(maxsize=32)
def gauss_hermite_grid(
    points_per_dimension: int, n_dimensions: int
) -> tuple[FloatArray, FloatArray]:
    """Tensor Gauss-Hermite nodes for a standard normal in ``n_dimensions`` and log weights."""
    nodes, weights = hermegauss(points_per_dimension)
    log_weights = np.log(weights / weights.sum())
    grid = np.array(list(itertools.product(nodes, repeat=n_dimensions)), dtype=np.float64)
    log_w = np.array([sum(combo) for combo in itertools.product(log_weights, repeat=n_dimensions)])
    grid.flags.writeable = False
    log_w.flags.writeable = False
    return grid, log_w


def estimate_correlated(
    responses: Responses,
    prior_mean: FloatArray,
    precision: FloatArray,
    estimator: str,
    mv_points: int,
) -> Estimate:
    """Multivariate MAP (Fisher scoring) or EAP (adaptive Gauss-Hermite around the MAP).

    ``precision`` is the inverse of the prior covariance.
    """
    mode, posterior_precision = _map_correlated(responses, prior_mean, precision)
    laplace = np.asarray(np.linalg.inv(posterior_precision), dtype=np.float64)
    if estimator == "map":
        info = area_information(mode, responses, prior_mean.size)
        return Estimate(mode, np.sqrt(np.diag(laplace)), laplace, info, responses)
    nodes, log_weights = gauss_hermite_grid(mv_points, prior_mean.size)
    cholesky = np.linalg.cholesky(laplace)
    points = mode + nodes @ cholesky.T
    log_integrand = (
        _log_posterior_points(points, responses, prior_mean, precision)
        + 0.5 * np.einsum("kd,kd->k", nodes, nodes)
        + log_weights
    )
    weights = np.exp(log_integrand - log_integrand.max())
    weights /= weights.sum()
    theta = weights @ points
    centred = points - theta
    covariance = (centred * weights[:, None]).T @ centred
    info = area_information(theta, responses, prior_mean.size)
    return Estimate(theta, np.sqrt(np.diag(covariance)), covariance, info, responses)
