"""Exposure control: the Sympson-Hetter filter and the simulations that set its parameters.

Sympson & Hetter (1985): the selection rule ranks the candidates; the best one is administered
with probability ``k_j`` and otherwise the next one is tried, and so on. The probability that
item ``j`` is administered at a step is then ``P(reach j) * k_j <= k_j``. The parameters ``k``
are set by simulation so that no item's administration rate exceeds a maximum ``r``.

The adaptive step is stateless, so an item refused at one step is not set aside for the rest of
the test (as in the original procedure) but may be tried again at a later step. The parameters
are therefore tuned on the quantity that matters, the simulated administration rate ``A_j``,
with the multiplicative fixed-point update

    k_j <- min(1, k_j * r / A_j)

repeated until every ``A_j <= r`` (an item below the cap sees its ``k`` rise back towards 1).
This is the same fixed point as the original iteration ``k_j = r / P(S_j)`` when items are
selected once per test. Items never over the cap keep ``k = 1``, which guarantees that some item
is always accepted.

Reference: Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in
computerized adaptive testing. *Proceedings of the 27th annual meeting of the Military Testing
Association*, 973-977. van der Linden, W. J. (2003). Some alternatives to Sympson-Hetter
item-exposure control in computerized adaptive testing. *JEBS*, 28, 249-265.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

if TYPE_CHECKING:
    from palier.engine.bank import ItemBank
    from palier.engine.config import CatConfig

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def sympson_hetter_pick(
    ranked: IntArray, parameters: FloatArray, rng: np.random.Generator
) -> int | None:
    """First item of ``ranked`` that passes its lottery ``u < k_j``, or ``None`` if none does."""
    if ranked.size == 0:
        return None
    accepted = rng.random(ranked.size) < parameters[ranked]
    if not accepted.any():
        return None
    return int(ranked[int(np.argmax(accepted))])


def administration_probabilities(parameters: ArrayLike) -> FloatArray:
    """Exact probability that each of a ranked list of items is the one administered.

    ``P(j) = k_j * prod_{i < j} (1 - k_i)``; the remainder (all refused) is not included.
    """
    k = np.asarray(parameters, dtype=np.float64)
    reach = np.concatenate(([1.0], np.cumprod(1.0 - k)[:-1]))
    return np.asarray(reach * k, dtype=np.float64)


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
    from dataclasses import replace

    from palier.engine.simulate import simulate

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
    for done in range(1, iterations + 1):  # noqa: B007 - the count is reported
        tuned = replace(
            config, exposure_control=dict(zip(bank.item_ids, k.tolist(), strict=True))
        )
        result = simulate(bank, tuned, thetas, rng)
        rates = result.exposure
        max_history.append(float(rates.max()))
        length_history.append(result.mean_length)
        if rates.max() <= best_max:
            best_k, best_max = k.copy(), float(rates.max())
        if rates.max() <= target:
            break
        with np.errstate(divide="ignore"):
            k = np.minimum(1.0, np.where(rates > 0, k * target / rates, 1.0))
    return ExposureTuning(
        parameters={item_id: float(value) for item_id, value in zip(bank.item_ids, best_k, strict=True) if value < 1},
        max_rate=max_rate,
        iterations=done,
        max_exposure_history=tuple(max_history),
        mean_length_history=tuple(length_history),
    )
