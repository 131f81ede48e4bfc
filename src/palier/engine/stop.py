"""Stopping rules: per area, then for the whole test.

An assessed area stops when (the first reason that holds is reported)
1. it has at least ``min_items_per_area`` items and its posterior SD is at most ``se_target``
   (``"se_target"``);
2. it has at least ``min_items_per_area`` items and ``theta +- z * se`` lies inside one level
   band of its cut scores, ``z`` the normal quantile of ``classification_confidence``
   (``"classified"``; Eggen, 1999);
3. it reached ``max_items_per_area`` (``"max_items_per_area"``);
4. no eligible item of the area is left (``"no_items"``).

The test stops at ``max_items`` (``"max_items"``), or when every assessed area has stopped and
``min_items`` is reached (the areas' common reason, or ``"areas_done"`` when they differ), or
when no item can be given (``"no_items"``). Until ``min_items`` is reached, areas stopped by
rules 1-2 stay open for selection. A posterior SD tied with ``se_target`` (within the tolerance
of :mod:`palier.engine.ties`) counts as reaching it, as does a bound tied with a cut score.
"""

from __future__ import annotations

import numpy as np

from palier.engine.arrays import BoolArray, FloatArray
from palier.engine.config import Plan
from palier.engine.estimate import Estimate
from palier.engine.score import classified
from palier.engine.ties import at_most

NOT_ASSESSED = "not_assessed"
MAX_ITEMS = "max_items"
MAX_ITEMS_PER_AREA = "max_items_per_area"
NO_ITEMS = "no_items"
SE_TARGET = "se_target"
CLASSIFIED = "classified"
AREAS_DONE = "areas_done"
#: Area reasons that still allow more items when the test is below ``min_items``.
SOFT_REASONS = frozenset({SE_TARGET, CLASSIFIED})


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
