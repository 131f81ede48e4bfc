"""Stopping rules: per area, then for the whole test.

An assessed area stops when (the first reason that holds is reported)
1. it has at least ``min_items_per_area`` items and its posterior SD is at most ``se_target``
   (``"se_target"``);
2. it has at least ``min_items_per_area`` items and ``theta +- z * se`` lies inside one level
   band of its cut scores, ``z`` the normal quantile of ``classification_confidence``
   (``"classified"``; Eggen, 1999);
3. it has at least ``min_items_per_area`` items and the posterior probability of its most
   probable level reaches ``level_probability_target`` (``"level_probability"``);
4. it reached ``max_items_per_area`` (``"max_items_per_area"``);
5. no eligible item of the area is left (``"no_items"``).

Rule 3 uses the normal approximation of the area's posterior, ``N(theta_hat, se^2)``:
``P(level k) = Phi((cut_k - theta_hat) / se) - Phi((cut_{k-1} - theta_hat) / se)`` (Rudner,
2005), the probability a result reports with its level. It is a sequential Bayesian decision
rule: stop once the reported level is right with at least the target probability (the
Bayesian counterpart of Eggen's 1999 interval rule, rule 2, which looks at one band only).

The test stops at ``max_items`` (``"max_items"``), or when every assessed area has stopped and
``min_items`` is reached (the areas' common reason, or ``"areas_done"`` when they differ), or
when no item can be given (``"no_items"``). Until ``min_items`` is reached, areas stopped by
rules 1-3 stay open for selection. A posterior SD tied with ``se_target`` (within the tolerance
of :mod:`palier.engine.ties`) counts as reaching it, as does a bound tied with a cut score or a
level probability tied with its target.

References: Eggen, T. J. H. M. (1999). Item selection in adaptive testing with the sequential
probability ratio test. *Applied Psychological Measurement*, 23, 249-261. Rudner, L. M. (2005).
Expected classification accuracy. *Practical Assessment, Research & Evaluation*, 10(13).
"""

from __future__ import annotations

import numpy as np

from palier.engine.arrays import BoolArray, FloatArray
from palier.engine.config import Plan
from palier.engine.estimate import Estimate
from palier.engine.score import classified, level_probabilities
from palier.engine.ties import at_most

NOT_ASSESSED = "not_assessed"
MAX_ITEMS = "max_items"
MAX_ITEMS_PER_AREA = "max_items_per_area"
NO_ITEMS = "no_items"
SE_TARGET = "se_target"
CLASSIFIED = "classified"
LEVEL_PROBABILITY = "level_probability"
AREAS_DONE = "areas_done"
#: Area reasons that still allow more items when the test is below ``min_items``.
SOFT_REASONS = frozenset({SE_TARGET, CLASSIFIED, LEVEL_PROBABILITY})


def level_reached(plan: Plan, estimate: Estimate, area: int) -> bool:
    """Whether the area's most probable level has at least ``level_probability_target``."""
    if plan.level_probability_target is None or plan.cut_scores is None:
        return False
    probabilities = level_probabilities(
        estimate.theta[area], estimate.se[area], plan.cut_scores[area]
    )
    return at_most(plan.level_probability_target, float(probabilities.max()))


def area_status(
    plan: Plan, estimate: Estimate, counts: FloatArray, available: FloatArray
) -> tuple[str | None, ...]:
    """Stop reason of each area, ``None`` for an area still being measured."""
    status: list[str | None] = []
    for area in range(plan.n_areas):
        reason: str | None = None
        if not plan.assessed[area]:
            reason = NOT_ASSESSED
        elif counts[area] >= plan.min_per_area[area] and at_most(
            float(estimate.se[area]), float(plan.se_target[area])
        ):
            reason = SE_TARGET
        elif (
            counts[area] >= plan.min_per_area[area]
            and plan.critical_value is not None
            and plan.cut_scores is not None
            and classified(
                float(estimate.theta[area]),
                float(estimate.se[area]),
                plan.cut_scores[area],
                plan.critical_value,
            )
        ):
            reason = CLASSIFIED
        elif counts[area] >= plan.min_per_area[area] and level_reached(plan, estimate, area):
            reason = LEVEL_PROBABILITY
        elif counts[area] >= plan.max_per_area[area]:
            reason = MAX_ITEMS_PER_AREA
        elif available[area] == 0:
            reason = NO_ITEMS
        status.append(reason)
    return tuple(status)


def open_areas(status: tuple[str | None, ...], below_minimum: bool) -> BoolArray:
    """Areas from which the next item may come."""
    opened = np.array([reason is None for reason in status])
    if below_minimum and not opened.any():
        opened = np.array([reason in SOFT_REASONS for reason in status])
    return opened


def overall_reason(status: tuple[str | None, ...]) -> str:
    """The test's stop reason once every assessed area has stopped."""
    reasons = {reason for reason in status if reason is not None and reason != NOT_ASSESSED}
    return reasons.pop() if len(reasons) == 1 else AREAS_DONE
