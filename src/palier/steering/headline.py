"""The headline of the national dashboard: each target in force against the actual figures
of its indicator, year by year, with the trend and where the plan stands, in words.

A share target counts the reached (or assessed, certified) learners of its populations
over their denominator (`summaries.denominators`: the populations without a denominator
stay out of both sides); a count target counts them (or sums the trained hours). The
filters restrict both sides (a region, an institution type or institution, a programme,
a population of the target). Seven queries whatever the data; a year the summaries were
never computed for is unknown, a computed year without learners counts zero.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from palier.frameworks.models import Population
from palier.steering.choices import Indicator, TargetKind
from palier.steering.filters import Filters
from palier.steering.models import ReachSummary, RefreshRun, Target
from palier.steering.privacy import Shown, is_small, no_figure, shown
from palier.steering.summaries import denominators, reach_sums, rows
from palier.steering.target_services import targets_in_force
from palier.steering.trajectory import BEHIND, ON_TRACK, REACHED, UNKNOWN, trajectory
from palier.steering.years import FIRST_YEAR, year_label

# The summary field each indicator counts, and the field of the learners it comes from.
INDICATOR_FIELDS = {
    Indicator.REACHED: ("reached", "reached"),
    Indicator.ASSESSED: ("assessed", "assessed"),
    Indicator.CERTIFIED: ("certified", "certified"),
    Indicator.TRAINED_HOURS: ("trained_hours", "trained"),
}


@dataclass(frozen=True)
class TargetProgress:
    """One target in force and where it stands. Values are percentages for share targets,
    learners (or hours) for count targets."""

    code: str
    title: str
    indicator: str
    kind: str
    value: float
    year: int
    yearly: bool
    actual: Shown
    trajectory: tuple[tuple[int, Shown], ...]
    projection: tuple[int, float] | None
    status: str
    sentence: str


def headline(filters: Filters) -> list[TargetProgress]:
    targets = targets_in_force()
    if not targets:
        return []
    years = list(range(FIRST_YEAR, filters.year + 1))
    kinds: dict[str, set[int]] = defaultdict(set)
    for pk, kind in Population.objects.values_list("pk", "kind"):
        kinds[kind].add(pk)
    # Years never computed are unknown; a computed year without learners counts zero.
    years = list(
        RefreshRun.objects.filter(academic_year__in=years).values_list("academic_year", flat=True)
    )
    sums = reach_sums(rows(ReachSummary, filters, years), "academic_year", "population_id")
    enrolled = denominators(filters, years)
    return [_progress(target, filters, sorted(years), kinds, sums, enrolled) for target in targets]


def _populations(target: Target, filters: Filters, kinds: dict[str, set[int]]) -> set[int]:
    found = set().union(*(kinds.get(kind, set()) for kind in target.population_kinds))
    if filters.population is not None:
        found &= {filters.population.pk}
    return found


def _year_value(
    target: Target,
    year: int,
    populations: set[int],
    sums: dict[Any, dict[str, Any]],
    enrolled: dict[tuple[int, int], int],
) -> Shown | None:
    """The indicator in `year` as shown, or None when unknown (no figure at all)."""
    field, learners_field = INDICATOR_FIELDS[Indicator(target.indicator)]
    if target.kind == TargetKind.SHARE:
        counted = [p for p in populations if enrolled.get((year, p))]
        if not counted:
            return None
        part = sum(sums.get((year, p), {}).get(field, 0) for p in counted)
        learners = sum(sums.get((year, p), {}).get(learners_field, 0) for p in counted)
        whole = sum(enrolled[(year, p)] for p in counted)
        hide = _rest_is_small(year, set(counted), sums, learners_field)
        return shown(round(100 * float(part) / whole, 1), learners, hide)
    cells = [sums[(year, p)] for p in populations if (year, p) in sums]
    total = sum((cell[field] for cell in cells), Decimal(0))
    learners = sum(cell[learners_field] for cell in cells)
    hide = _rest_is_small(year, populations, sums, learners_field)
    return shown(float(total) if field.endswith("hours") else int(total), learners, hide)


def _rest_is_small(
    year: int, populations: set[int], sums: dict[Any, dict[str, Any]], learners_field: str
) -> bool:
    """A target counts some populations only: when the learners of the others (those "not
    stated" included) are 1 to 9, the breakdown's total minus the target's figure would
    give them away, so the figure is hidden."""
    rest = sum(
        value.get(learners_field, 0)
        for (at, population), value in sums.items()
        if at == year and population not in populations
    )
    return is_small(rest)


def _progress(
    target: Target,
    filters: Filters,
    years: list[int],
    kinds: dict[str, set[int]],
    sums: dict[Any, dict[str, Any]],
    enrolled: dict[tuple[int, int], int],
) -> TargetProgress:
    populations = _populations(target, filters, kinds)
    by_year = {year: _year_value(target, year, populations, sums, enrolled) for year in years}
    points = tuple((year, value) for year, value in by_year.items() if value is not None)
    # Hidden figures stay out of the trend, so that the projection cannot reveal them.
    visible = [(year, value.value) for year, value in points if year <= filters.year]
    state = trajectory(visible, float(target.value), target.year, yearly=target.yearly)
    actual = by_year.get(filters.year) or no_figure()
    return TargetProgress(
        code=target.code,
        title=target.title,
        indicator=target.indicator,
        kind=target.kind,
        value=float(target.value),
        year=target.year,
        yearly=target.yearly,
        actual=actual,
        trajectory=tuple((year, value) for year, value in points if year <= filters.year),
        projection=state.projection,
        status=state.status,
        sentence=sentence(target, state.status, actual, state.projection),
    )


def formatted(target: Target, value: float | None) -> str:
    """A figure of the target's kind in the reader's language ("60 %", "70 000")."""
    if value is None:
        return "—"
    if target.kind == TargetKind.SHARE:
        return _("%(value)s %%") % {"value": number_format(value, 1, use_l10n=True)}
    return number_format(round(value), 0, use_l10n=True, force_grouping=True)


def sentence(
    target: Target, status: str, actual: Shown, projection: tuple[int, float] | None
) -> str:
    """Where the target stands, in plain words."""
    values = {
        "target": formatted(target, float(target.value)),
        "year": year_label(target.year),
        "actual": formatted(target, actual.value) if not actual.hidden else _("masqué"),
        "projection": formatted(target, projection[1]) if projection else "—",
    }
    if status == REACHED:
        return _("Atteint : la cible de %(target)s pour %(year)s est atteinte.") % values
    if status == ON_TRACK:
        return (
            _(
                "En bonne voie : au rythme actuel, %(projection)s en %(year)s, pour une cible "
                "de %(target)s."
            )
            % values
        )
    if status == BEHIND and projection is not None:
        return (
            _(
                "En retard : au rythme actuel, %(projection)s en %(year)s, pour une cible "
                "de %(target)s."
            )
            % values
        )
    if status == BEHIND:
        return _("En retard : la cible de %(target)s pour %(year)s n'est pas atteinte.") % values
    assert status == UNKNOWN
    return _(
        "Tendance inconnue : il faut les chiffres d'au moins deux années (et les effectifs "
        "inscrits pour une part) pour la projeter."
    )
