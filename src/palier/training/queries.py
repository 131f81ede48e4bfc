"""Reads for the catalogue and the learning plan."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from palier.accounts.models import User
from palier.frameworks.models import Area, Framework
from palier.training.models import Module, PlanEntry


@dataclass(frozen=True)
class CatalogueFilters:
    q: str = ""
    area: str = ""
    competence: str = ""
    format: str = ""
    max_hours: Decimal | None = None
    funding: str = ""  # "free" or "cpd"
    language: str = ""
    region: str = ""
    population: str = ""
    status: str = ""


def catalogue(filters: CatalogueFilters) -> QuerySet[Module]:
    modules = Module.objects.filter(status=Module.Status.PUBLISHED).select_related("provider")
    if filters.q:
        modules = modules.filter(
            Q(title_fr__icontains=filters.q)
            | Q(title_en__icontains=filters.q)
            | Q(summary_fr__icontains=filters.q)
        )
    if filters.area:
        modules = modules.filter(capacities__competence__area__code=filters.area)
    if filters.competence:
        modules = modules.filter(capacities__competence__code=filters.competence)
    if filters.format:
        modules = modules.filter(format=filters.format)
    if filters.max_hours is not None:
        modules = modules.filter(hours__lte=filters.max_hours)
    if filters.funding == "free":
        modules = modules.filter(price_cents=0)
    elif filters.funding == "cpd":
        modules = modules.filter(cpd_eligible=True)
    if filters.language:
        modules = modules.filter(language=filters.language)
    if filters.region:
        modules = modules.filter(sessions__region=filters.region)
    if filters.population:
        modules = modules.filter(
            Q(populations__code=filters.population) | Q(populations__isnull=True)
        )
    if filters.status:
        modules = modules.filter(Q(statuses__contains=filters.status) | Q(statuses=""))
    return modules.distinct().order_by("title_fr")


@dataclass(frozen=True)
class AreaHours:
    area: Area
    planned: Decimal
    done: Decimal

    @property
    def reference(self) -> Decimal:
        return self.area.reference_hours


def plan_entries(user: User) -> QuerySet[PlanEntry]:
    return (
        PlanEntry.objects.filter(user=user)
        .select_related("module__provider", "resource__competence__area")
        .prefetch_related("module__capacities__competence__area")
    )


def hours_per_area(user: User, framework: Framework) -> list[AreaHours]:
    """Module hours planned and completed per area; a module covering several areas counts
    its hours in equal shares."""
    planned: dict[int, Decimal] = defaultdict(Decimal)
    done: dict[int, Decimal] = defaultdict(Decimal)
    for entry in plan_entries(user).filter(module__isnull=False):
        area_ids = {c.competence.area_id for c in entry.module.capacities.all()}
        share = entry.module.hours / len(area_ids) if area_ids else Decimal(0)
        for area_id in area_ids:
            planned[area_id] += share
            if entry.progress == PlanEntry.Progress.COMPLETED:
                done[area_id] += share
    return [
        AreaHours(
            area, planned[area.pk].quantize(Decimal("0.1")), done[area.pk].quantize(Decimal("0.1"))
        )
        for area in Area.objects.filter(framework=framework).order_by("number")
    ]
