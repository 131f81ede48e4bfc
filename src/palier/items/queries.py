"""Reads of the item bank for authoring pages, coverage, exports and the engine adapter."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from palier.frameworks.models import Area, Capacity, Framework
from palier.items.content_check import MIN_LEVELS_PER_CAPACITY
from palier.items.models import Item, ItemVersion

LEVELS = (1, 2, 3, 4, 5)
# A capacity x level cell with fewer operational items than this is shown as a gap.
COVERAGE_TARGET = 1


def items_with_latest_version(queryset: QuerySet[Item] | None = None) -> QuerySet[Item]:
    """Items annotated with `latest_version_id` (one query, no per-item lookups)."""
    latest = ItemVersion.objects.filter(item=OuterRef("pk")).order_by("-number").values("pk")[:1]
    base = queryset if queryset is not None else Item.objects.all()
    return base.annotate(latest_version_id=Subquery(latest))


def latest_versions(items: QuerySet[Item]) -> dict[int, ItemVersion]:
    """The latest version of each item, keyed by item id (two queries)."""
    ids = [item.latest_version_id for item in items_with_latest_version(items)]
    versions = ItemVersion.objects.filter(pk__in=[i for i in ids if i]).select_related(
        "stimulus", "stimulus_version", "item__capacity", "capacity__competence"
    )
    return {version.item_id: version for version in versions}


@dataclass(frozen=True)
class CoverageRow:
    capacity: Capacity
    counts: list[int]

    @property
    def gaps(self) -> int:
        return sum(count < COVERAGE_TARGET for count in self.counts)

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def levels_covered(self) -> int:
        return sum(count > 0 for count in self.counts)

    @property
    def needs_levels(self) -> bool:
        """Fewer levels than the content check asks of every capacity."""
        return self.levels_covered < MIN_LEVELS_PER_CAPACITY


def level_totals(rows: list[CoverageRow]) -> list[int]:
    """Operational items per level over the rows (an area's capacities)."""
    return [sum(row.counts[index] for row in rows) for index in range(len(LEVELS))]


def coverage(framework: Framework) -> list[tuple[Area, list[CoverageRow]]]:
    """Operational items per capacity x intended level, area by area (three queries)."""
    counts = Counter(
        Item.objects.filter(
            status=Item.Status.OPERATIONAL, capacity__competence__area__framework=framework
        ).values_list("capacity_id", "intended_level")
    )
    capacities = (
        Capacity.objects.filter(competence__area__framework=framework)
        .select_related("competence__area")
        .order_by("competence__area__number", "competence__position", "position")
    )
    by_area: dict[int, tuple[Area, list[CoverageRow]]] = {}
    for capacity in capacities:
        area = capacity.competence.area
        row = CoverageRow(capacity, [counts.get((capacity.pk, level), 0) for level in LEVELS])
        by_area.setdefault(area.pk, (area, []))[1].append(row)
    return list(by_area.values())
