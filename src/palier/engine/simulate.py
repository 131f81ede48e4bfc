"""Monte Carlo simulation of adaptive tests: the tool used to choose a configuration.

Each simulee with true abilities ``theta`` takes the test through the very same step function as
a real candidate (:func:`palier.engine.cat.step_from_indices`); each answer is drawn as
``u < P_j(theta_area(j))`` with ``u`` uniform from the caller's generator. Reported: test
length, bias ``mean(theta_hat - theta)``, RMSE ``sqrt(mean((theta_hat - theta)^2))`` and mean
reported SE per area, the same conditional on bands of true theta, and each item's exposure
rate (share of simulees who saw it).

Restricted selection (``CatConfig.max_exposure_rate``) reads observed exposure rates from the
configuration; in production they come from item statistics refreshed from time to time. With
``exposure_refresh=n`` the simulation does the same: every ``n`` simulees the configuration's
``exposure_rates`` are replaced by the running rates of the simulees so far (Revuelta &
Ponsoda, 1998, update them after every examinee).
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from palier.engine.arrays import FloatArray, IntArray
from palier.engine.bank import ItemBank
from palier.engine.cat import step_from_indices
from palier.engine.config import CatConfig
from palier.engine.irt import probability

#: Default edges of the theta bands for conditional results (logits).
DEFAULT_BAND_EDGES = (-np.inf, -2.0, -1.0, 0.0, 1.0, 2.0, np.inf)


@dataclass(frozen=True)
class BandResult:
    """Results for simulees whose true theta in ``area`` lies in ``[low, high)``."""

    area: int
    low: float
    high: float
    n: int
    mean_length: float
    bias: float
    rmse: float
    mean_se: float


@dataclass(frozen=True, eq=False)
class SimulationResult:
    """Per-simulee outcomes and their summaries (per area arrays have one entry per area)."""

    true_theta: FloatArray
    theta: FloatArray
    se: FloatArray
    lengths: IntArray
    items_per_area: FloatArray
    exposure: FloatArray
    stop_reasons: dict[str, int]
    bands: tuple[BandResult, ...]

    @property
    def mean_length(self) -> float:
        """Mean number of operational items per test."""
        return float(self.lengths.mean())

    @property
    def bias(self) -> FloatArray:
        """Mean of ``theta_hat - theta`` per area."""
        return np.asarray((self.theta - self.true_theta).mean(axis=0), dtype=np.float64)

    @property
    def rmse(self) -> FloatArray:
        """Root mean squared error per area."""
        return np.asarray(np.sqrt(((self.theta - self.true_theta) ** 2).mean(axis=0)))

    @property
    def mean_se(self) -> FloatArray:
        """Mean reported posterior SD per area."""
        return np.asarray(self.se.mean(axis=0), dtype=np.float64)

    @property
    def max_exposure(self) -> float:
        """Highest item exposure rate."""
        return float(self.exposure.max())


def _bands(
    true_theta: FloatArray,
    theta: FloatArray,
    se: FloatArray,
    lengths: IntArray,
    assessed: NDArray[np.bool_],
    edges: tuple[float, ...],
) -> tuple[BandResult, ...]:
    results = []
    for area in np.flatnonzero(assessed):
        for low, high in itertools.pairwise(edges):
            inside = (true_theta[:, area] >= low) & (true_theta[:, area] < high)
            if not inside.any():
                continue
            error = theta[inside, area] - true_theta[inside, area]
            results.append(
                BandResult(
                    area=int(area),
                    low=float(low),
                    high=float(high),
                    n=int(inside.sum()),
                    mean_length=float(lengths[inside].mean()),
                    bias=float(error.mean()),
                    rmse=float(np.sqrt(np.mean(error**2))),
                    mean_se=float(se[inside, area].mean()),
                )
            )
    return tuple(results)


def simulate(
    bank: ItemBank,
    config: CatConfig,
    thetas: ArrayLike,
    rng: np.random.Generator,
    band_edges: tuple[float, ...] = DEFAULT_BAND_EDGES,
    exposure_refresh: int | None = None,
) -> SimulationResult:
    """Run one simulated test per row of ``thetas`` (shape ``(n,)`` for one area, else
    ``(n, n_areas)``) and summarise it.

    ``exposure_refresh`` (needs ``config.max_exposure_rate``): refresh the configuration's
    observed exposure rates from the running rates every that many simulees (module
    docstring)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError("rng must be a numpy.random.Generator")
    true_theta = np.array(thetas, dtype=np.float64)
    if true_theta.ndim == 1:
        if bank.n_areas != 1:
            raise ValueError(f"thetas must have shape (n, {bank.n_areas}) for this bank")
        true_theta = true_theta[:, None]
    if true_theta.ndim != 2 or true_theta.shape[1] != bank.n_areas:
        raise ValueError(f"thetas must have shape (n, {bank.n_areas})")
    if not np.all(np.isfinite(true_theta)):
        raise ValueError("thetas must be finite")
    if exposure_refresh is not None:
        if exposure_refresh < 1:
            raise ValueError("exposure_refresh must be at least 1")
        if config.max_exposure_rate is None:
            raise ValueError("exposure_refresh needs a configuration with max_exposure_rate")
    n_simulees = true_theta.shape[0]
    plan = config.plan(bank)
    capacity = config.max_items + len(config.pretest_positions) + 1
    theta_hat = np.empty_like(true_theta)
    se = np.empty_like(true_theta)
    lengths = np.empty(n_simulees, dtype=np.intp)
    per_area = np.zeros((n_simulees, bank.n_areas))
    seen = np.zeros(bank.n_items)
    reasons: Counter[str] = Counter()
    items = np.empty(capacity, dtype=np.intp)
    answers = np.empty(capacity, dtype=bool)
    for simulee in range(n_simulees):
        if exposure_refresh is not None and simulee and simulee % exposure_refresh == 0:
            rates = seen / simulee
            config = replace(
                config,
                exposure_rates={
                    item_id: float(rate)
                    for item_id, rate in zip(bank.item_ids, rates, strict=True)
                    if rate > 0
                },
            )
        count = 0
        # As in production, the engine's generator is seeded from the attempt and restarted at
        # each step; answers are drawn from the caller's generator.
        attempt_rng = np.random.default_rng(int(rng.integers(2**63)))
        attempt_state = attempt_rng.bit_generator.state
        while True:
            attempt_rng.bit_generator.state = attempt_state
            choice, step = step_from_indices(
                bank, config, items[:count], answers[:count], attempt_rng
            )
            if choice is None:
                break
            p = probability(
                true_theta[simulee, bank.areas[choice]],
                bank.discrimination[choice],
                bank.difficulty[choice],
                bank.guessing[choice],
            )
            items[count] = choice
            answers[count] = rng.random() < p
            count += 1
        theta_hat[simulee] = step.theta
        se[simulee] = step.se
        lengths[simulee] = step.n_items
        administered = items[:count]
        seen[administered] += 1
        scored = administered[~bank.pretest[administered]]
        per_area[simulee] = np.bincount(bank.areas[scored], minlength=bank.n_areas)
        reasons[step.stop_reason or ""] += 1
    return SimulationResult(
        true_theta=true_theta,
        theta=theta_hat,
        se=se,
        lengths=lengths,
        items_per_area=per_area.mean(axis=0),
        exposure=seen / n_simulees,
        stop_reasons=dict(reasons),
        bands=_bands(true_theta, theta_hat, se, lengths, plan.assessed, band_edges),
    )
