"""Reads of the framework for pages, the API and exports (no writes here)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from palier.frameworks.models import (
    Area,
    Capacity,
    Competence,
    Framework,
    Level,
    Population,
    TargetLevel,
)


def published_frameworks() -> QuerySet[Framework]:
    return Framework.objects.filter(status=Framework.Status.PUBLISHED).order_by(
        "code", "-published_at"
    )


def current_framework(code: str | None = None) -> Framework | None:
    """The most recently published version (of `code`, or of any framework)."""
    frameworks = published_frameworks().order_by("-published_at", "-id")
    if code:
        frameworks = frameworks.filter(code=code)
    return frameworks.first()


def framework_tree(code: str, version: str) -> Framework:
    """A published framework with areas, levels, competences and capacities prefetched
    (five queries whatever the size). Raises Http404 for an unknown or draft version."""
    return get_object_or_404(
        published_frameworks().prefetch_related(
            Prefetch("areas", queryset=Area.objects.order_by("number")),
            Prefetch("areas__levels", queryset=Level.objects.order_by("rank")),
            Prefetch("areas__competences", queryset=Competence.objects.order_by("position")),
            Prefetch(
                "areas__competences__capacities",
                queryset=Capacity.objects.order_by("position"),
            ),
        ),
        code=code,
        version=version,
    )


def area_in_framework(framework: Framework, area_code: str) -> Area:
    for area in framework.areas.all():
        if area.code == area_code:
            return area
    raise Area.DoesNotExist


def population_targets(framework_id: int, population_id: int | None) -> dict[str, int]:
    """A population's target level rank per area code ({} without a population)."""
    if population_id is None:
        return {}
    return dict(
        TargetLevel.objects.filter(
            framework_id=framework_id, population_id=population_id
        ).values_list("area__code", "level_rank")
    )


def target_profiles(framework: Framework) -> list[tuple[Population, list[int | None]]]:
    """For each population, the expected level rank in each area (in area order)."""
    areas = list(framework.areas.all())
    targets: dict[tuple[int, int], int] = {
        (t.population_id, t.area_id): t.level_rank
        for t in TargetLevel.objects.filter(framework=framework)
    }
    return [
        (population, [targets.get((population.pk, area.pk)) for area in areas])
        for population in Population.objects.all()
    ]


def cut_scores_by_area(framework_id: int) -> dict[str, tuple[float, ...]]:
    """The cut scores of each area (by code) of a framework version, in level order: the
    theta at which each level above the first starts (one query)."""
    cuts: dict[str, list[float]] = {}
    for code, cut in (
        Level.objects.filter(area__framework_id=framework_id, min_theta__isnull=False)
        .order_by("area__code", "rank")
        .values_list("area__code", "min_theta")
    ):
        cuts.setdefault(code, []).append(cut)
    return {code: tuple(values) for code, values in cuts.items()}
