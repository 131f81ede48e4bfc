"""Reading the summary tables and the denominators for a set of filters: the pieces that
`queries.py` (tables) and `headline.py` (targets) share. Counts only, no suppression here:
callers pass every figure through `privacy.py` before it leaves them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Model, QuerySet, Sum

from palier.steering.filters import Filters
from palier.steering.models import (
    Enrolment,
    NationalTotal,
    PlannedLearners,
    Scope,
)

# The figures of ReachSummary summed for pages.
REACH_FIELDS = ("active", "reached", "assessed", "trained", "certified", "trained_hours")


def scope_of(filters: Filters) -> dict[str, Any]:
    """The summary rows that count the filters' learners: one institution, one programme,
    one institution type, or everyone."""
    if filters.institution is not None:
        return {"scope": Scope.ORGANISATION, "organisation_id": filters.institution.pk}
    if filters.programme is not None:
        return {"scope": Scope.AWARD, "award_id": filters.programme.pk}
    if filters.institution_type:
        return {"scope": Scope.TYPE, "institution_type": filters.institution_type}
    return {"scope": Scope.ALL}


def profile_of(filters: Filters) -> dict[str, Any]:
    """Restrictions on the learners' profile (population, region)."""
    found: dict[str, Any] = {}
    if filters.population is not None:
        found["population_id"] = filters.population.pk
    if filters.region:
        found["region"] = filters.region
    return found


def rows(
    model: type[Model], filters: Filters, years: Iterable[int] | None = None, **scope: Any
) -> QuerySet:
    """Summary rows of the filters' year (or `years`), scope (or `scope`) and profile."""
    chosen = {"academic_year__in": list(years)} if years is not None else {}
    if not chosen:
        chosen = {"academic_year": filters.year}
    return model.objects.filter(**chosen, **(scope or scope_of(filters)), **profile_of(filters))


def reach_sums(queryset: QuerySet, *by: str) -> dict[Any, dict[str, Any]]:
    """REACH_FIELDS summed per value of `by` (a tuple key with several fields)."""
    grouped = queryset.order_by().values(*by).annotate(**{f: Sum(f) for f in REACH_FIELDS})
    found: dict[Any, dict[str, Any]] = {}
    for row in grouped:
        key = row[by[0]] if len(by) == 1 else tuple(row[field] for field in by)
        found[key] = {field: row[field] or 0 for field in REACH_FIELDS}
    return found


def reach_total(queryset: QuerySet) -> dict[str, Any]:
    totals = queryset.order_by().aggregate(**{f: Sum(f) for f in REACH_FIELDS})
    return {field: totals[field] or 0 for field in REACH_FIELDS}


def hours_figure(value: Any) -> float:
    """Summed hours as the tables show them: a number to one decimal."""
    return float(Decimal(value).quantize(Decimal("0.1")))


def empty_sums() -> dict[str, Any]:
    return {field: (Decimal(0) if field.endswith("hours") else 0) for field in REACH_FIELDS}


# --- denominators ------------------------------------------------------------------------

ENROLMENT_GROUPS = {
    "region": "organisation__region",
    "institution_type": "organisation__type",
    "institution": "organisation_id",
}


def _enrolments(filters: Filters, years: Iterable[int]) -> QuerySet:
    found = Enrolment.objects.filter(academic_year__in=list(years))
    if filters.population is not None:
        found = found.filter(population=filters.population)
    if filters.region:
        found = found.filter(organisation__region=filters.region)
    if filters.institution_type:
        found = found.filter(organisation__type=filters.institution_type)
    if filters.institution is not None:
        found = found.filter(organisation=filters.institution)
    return found


def _planned(filters: Filters, years: Iterable[int]) -> QuerySet:
    found = PlannedLearners.objects.filter(academic_year__in=list(years))
    if filters.population is not None:
        found = found.filter(population=filters.population)
    if filters.programme is not None:
        found = found.filter(award=filters.programme)
    return found


def national_totals_apply(filters: Filters) -> bool:
    """National totals describe whole populations: they stand in only for the country
    as a whole (no region, institution type, institution or programme chosen)."""
    return not (
        filters.region or filters.institution_type or filters.institution or filters.programme
    )


def _summed(queryset: QuerySet, *by: str) -> dict[Any, int]:
    """Learners summed per value of `by` (a tuple key with several fields)."""
    found: dict[Any, int] = {}
    for row in queryset.values(*by).annotate(total=Sum("learners")).order_by():
        key = row[by[0]] if len(by) == 1 else tuple(row[field] for field in by)
        found[key] = row["total"]
    return found


def denominators(filters: Filters, years: Iterable[int]) -> dict[tuple[int, int], int]:
    """Enrolled learners per (academic year, population) for the filters (two queries).

    The rule: a population's denominator in a year is the sum of its institutions'
    enrolments when at least one institution declared it; otherwise the national total
    entered by steering (only for the whole country); otherwise unknown (absent), and the
    population then stays out of the share. With a programme: its planned learners."""
    years = list(years)
    if filters.programme is not None:
        return _summed(_planned(filters, years), "academic_year", "population_id")
    found = _summed(_enrolments(filters, years), "academic_year", "population_id")
    if national_totals_apply(filters):
        totals = NationalTotal.objects.filter(academic_year__in=years)
        if filters.population is not None:
            totals = totals.filter(population=filters.population)
        for year, population, learners in totals.values_list(
            "academic_year", "population_id", "learners"
        ):
            found.setdefault((year, population), learners)
    return found


def enrolled_by(filters: Filters, by: str) -> dict[Any, int] | None:
    """Enrolled learners of the filters' year per value of a breakdown (None when the
    breakdown has no denominator: status). Programmes: their planned learners; the
    population breakdown follows the rule of `denominators`."""
    if by == "programme":
        return _summed(_planned(filters, [filters.year]), "award_id")
    if by == "population":
        found = denominators(filters, [filters.year])
        return {population: learners for (_year, population), learners in found.items()}
    field = ENROLMENT_GROUPS.get(by)
    if field is None:
        return None
    return _summed(_enrolments(filters, [filters.year]), field)
