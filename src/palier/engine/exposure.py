"""Exposure control: the Sympson-Hetter filter applied at each step.

Sympson & Hetter (1985): the selection rule ranks the candidates; the best one is administered
with probability ``k_j`` and otherwise the next one is tried, and so on. The probability that
item ``j`` is administered at a step is then ``P(reach j) * k_j <= k_j``. The parameters ``k``
are set by simulation so that no item's administration rate exceeds a maximum ``r``.

In the original procedure an item refused by its lottery is set aside for the rest of the test.
The adaptive step is stateless, so it draws the lotteries of all items at once, as the first
draw of the generator: ``u_j`` uniform, item ``j`` passes when ``u_j < k_j``. The generator is
seeded from the attempt and passed fresh at every step (the contract of ``next_step``), so the
same ``u`` comes back at every step of an attempt: an item refused once stays refused, exactly
as in the original, and a replay reproduces the decisions. (A generator that keeps running
across steps redraws the lotteries at each step, which weakens the control: an item refused
at one step may pass at the next.)

The parameters are tuned by simulation in :mod:`palier.engine.exposure_tuning`, a module above
:mod:`palier.engine.simulate` (which runs this filter through the adaptive step).

Reference: Sympson, J. B., & Hetter, R. D. (1985). Controlling item-exposure rates in
computerized adaptive testing. *Proceedings of the 27th annual meeting of the Military Testing
Association*, 973-977. van der Linden, W. J. (2003). Some alternatives to Sympson-Hetter
item-exposure control in computerized adaptive testing. *JEBS*, 28, 249-265.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from palier.engine.arrays import FloatArray, IntArray


def sympson_hetter_pick(
    ranked: IntArray, parameters: FloatArray, lottery: FloatArray
) -> int | None:
    """First item of ``ranked`` that passes its lottery ``u_j < k_j``, or ``None``.

    ``lottery`` holds one uniform draw per bank item (drawn once per attempt, see above).
    """
    if ranked.size == 0:
        return None
    accepted = lottery[ranked] < parameters[ranked]
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
