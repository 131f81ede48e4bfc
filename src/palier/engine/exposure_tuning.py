"""Tuning of the Sympson-Hetter parameters by repeated simulation.

The filter itself lives in :mod:`palier.engine.exposure`; tuning needs the simulator, which runs
the adaptive step, which runs the filter: keeping the tuning in its own module above
:mod:`palier.engine.simulate` keeps the engine's import graph acyclic.

The parameters are tuned on the simulated administration rate ``A_j`` with the fixed-point
update

    k_j <- min(1, k_j * r / A_j)

repeated until every ``A_j <= r``, the ratio raised to a power that decreases over the
iterations (``1 / (1 + t / 3)``) because each simulated rate carries sampling noise. Since
``A_j = P(S_j) k_j``, its fixed point is the original iteration's ``k_j = r / P(S_j)``
(``P(S_j)``: probability that item ``j`` is selected), and an item below the cap sees its ``k``
rise back towards 1. Items never over the cap keep ``k = 1``, so some item is always accepted.

References: Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in
computerized adaptive testing. *Proceedings of the 27th annual meeting of the Military Testing
Association*, 973-977. van der Linden, W. J. (2003). Some alternatives to Sympson-Hetter
item-exposure control in computerized adaptive testing. *JEBS*, 28, 249-265.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.bank import ItemBank
from palier.engine.config import CatConfig
from palier.engine.simulate import simulate

#: Number of iterations over which the update exponent halves (see sympson_hetter_parameters).
DAMPING_ITERATIONS = 3


@dataclass(frozen=True)
class ExposureTuning:
    """Result of :func:`sympson_hetter_parameters`: parameters by item id and the trace."""

    parameters: dict[str, float]
    max_rate: float
    iterations: int
    max_exposure_history: tuple[float, ...]
    mean_length_history: tuple[float, ...]


def sympson_hetter_parameters(
    bank: ItemBank,
    config: CatConfig,
    thetas: ArrayLike,
    rng: np.random.Generator,
    max_rate: float = 0.25,
    iterations: int = 12,
    margin: float = 0.0,
) -> ExposureTuning:
    """Tune Sympson-Hetter parameters by repeated simulation on ``thetas`` (module docstring).

    ``margin`` aims the tuning at ``max_rate - margin`` so that sampling noise in a fresh
    simulation stays under ``max_rate``. Returns the last parameters whose simulated maximum
    exposure was the lowest seen.
    """
    if not 0 < max_rate <= 1:
        raise ValueError("max_rate must lie in (0, 1]")
    if iterations < 1:
        raise ValueError("iterations must be at least 1")
    target = max_rate - margin
    if target <= 0:
        raise ValueError("margin must be smaller than max_rate")
    k = np.ones(bank.n_items)
    best_k, best_max = k.copy(), np.inf
    max_history: list[float] = []
    length_history: list[float] = []
    done = 0
    for done in range(1, iterations + 1):
        tuned = replace(config, exposure_control=dict(zip(bank.item_ids, k.tolist(), strict=True)))
        result = simulate(bank, tuned, thetas, rng)
        rates = result.exposure
        max_history.append(float(rates.max()))
        length_history.append(result.mean_length)
        if rates.max() <= best_max:
            best_k, best_max = k.copy(), float(rates.max())
        if rates.max() <= target:
            break
        # Simulated rates are noisy: damp later updates (Robbins-Monro style step sizes) so the
        # iteration settles instead of chasing the noise of the last simulation.
        power = 1.0 / (1.0 + (done - 1) / DAMPING_ITERATIONS)
        with np.errstate(divide="ignore"):
            ratio = np.where(rates > 0, target / np.maximum(rates, 1e-12), 1 / k)
        k = np.minimum(1.0, k * ratio**power)
    return ExposureTuning(
        parameters={
            item_id: float(value)
            for item_id, value in zip(bank.item_ids, best_k, strict=True)
            if value < 1
        },
        max_rate=max_rate,
        iterations=done,
        max_exposure_history=tuple(max_history),
        mean_length_history=tuple(length_history),
    )
