""" "À travailler en priorité" on the test's result page: the few best items of the learning
plan (`recommend.learning_plan`), at most PRIORITY_MODULES modules and PRIORITY_RESOURCES
free self-study resources in all. Areas are taken from the largest gap to the smallest, and
their ranked lists are interleaved (each area's best first, then each one's second...), so
the learner sees the most useful start in each area before more of the same area.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TYPE_CHECKING

from palier.accounts.models import User
from palier.frameworks.models import Area
from palier.training.models import Module, PlanEntry, Resource

if TYPE_CHECKING:
    from palier.training.recommend import AreaPlan

PRIORITY_MODULES = 3
PRIORITY_RESOURCES = 3


@dataclass(frozen=True)
class Priority:
    """A module or a resource to start with, the area it serves, whether it is planned."""

    area: Area
    module: Module | None = None
    resource: Resource | None = None
    reasons: list[str] = field(default_factory=list)
    in_plan: bool = False

    @property
    def anchor(self) -> str:
        """The id of its place on the page (the add-to-plan form comes back to it)."""
        if self.module is not None:
            return f"module-{self.module.code}"
        assert self.resource is not None
        return f"resource-{self.resource.code}"


def _interleaved(lists: Sequence[Sequence[Priority]], limit: int) -> list[Priority]:
    chosen: list[Priority] = []
    seen: set[str] = set()
    for row in zip_longest(*lists):
        for priority in row:
            if priority is not None and priority.anchor not in seen and len(chosen) < limit:
                seen.add(priority.anchor)
                chosen.append(priority)
    return chosen


def priorities(user: User, plan: Sequence[AreaPlan]) -> tuple[list[Priority], list[Priority]]:
    """The modules and the resources to work on first (module docstring)."""
    entries = PlanEntry.objects.filter(user=user)
    planned_modules = set(entries.values_list("module_id", flat=True))
    planned_resources = set(entries.values_list("resource_id", flat=True))
    by_gap = sorted(
        plan, key=lambda area_plan: (area_plan.level - area_plan.target, area_plan.area.number)
    )
    modules = _interleaved(
        [
            [
                Priority(
                    area_plan.area,
                    module=ranked.module,
                    reasons=ranked.reasons,
                    in_plan=ranked.module.pk in planned_modules,
                )
                for ranked in area_plan.modules
            ]
            for area_plan in by_gap
        ],
        PRIORITY_MODULES,
    )
    resources = _interleaved(
        [
            [
                Priority(
                    area_plan.area,
                    resource=resource,
                    in_plan=resource.pk in planned_resources,
                )
                for resource in area_plan.resources
            ]
            for area_plan in by_gap
        ],
        PRIORITY_RESOURCES,
    )
    return modules, resources
