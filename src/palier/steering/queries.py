"""Reads for the national dashboards and their exports and API: every figure comes from the
summary tables (`aggregates.py`) and the denominators, and goes through `privacy.py`
before it is put in a `tables.Table`. Each function runs a fixed number of queries,
whatever the data (the tests pin them).

- `headline(filters)`: the targets in force against the actual figures (`headline.py`);
- `breakdown(filters, by)`: enrolled, reached, % reached, assessed, certified and trained
  hours by population, region, institution type, institution, programme or status;
- `levels(filters)`: learners per level of each area, by population (shared results);
- `profile_gaps(filters)`: mean gap to the population's target level, by population and
  area (shared results);
- `programmes(filters)`: the awards with their planned and reached learners;
- `hours_by_route(filters)`: training hours planned and completed by learner status and
  funding route.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from palier.accounts.choices import Region
from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType
from palier.organisations.models import Organisation
from palier.steering.filters import Filters
from palier.steering.headline import TargetProgress, headline
from palier.steering.level_tables import NOT_STATED, levels, profile_gaps
from palier.steering.models import Award, ReachSummary, RefreshRun, Scope
from palier.steering.privacy import hidden_in_line, no_figure, shown
from palier.steering.route_hours import hours_by_route, status_labels
from palier.steering.summaries import (
    empty_sums,
    enrolled_by,
    hours_figure,
    reach_sums,
    reach_total,
    rows,
    scope_of,
)
from palier.steering.tables import Row, Table

__all__ = [
    "BREAKDOWNS",
    "TargetProgress",
    "breakdown",
    "demo_in_scope",
    "headline",
    "hours_by_route",
    "levels",
    "profile_gaps",
    "programmes",
    "refreshed_at",
]

# Breakdown -> (table code, summary field grouped by).
BREAKDOWNS = {
    "population": ("publics", "population_id"),
    "region": ("regions", "region"),
    "institution_type": ("types", "institution_type"),
    "institution": ("etablissements", "organisation_id"),
    "programme": ("par-programme", "award_id"),
    "status": ("situations", "status"),
}


def _labels(filters: Filters, by: str, present: set[Any]) -> list[tuple[Any, str]]:
    """The rows of a breakdown, in order: every region, status, institution type and
    population (even at zero), the institutions and programmes with learners."""
    if by == "region":
        return [*Region.choices, ("", _("Région non renseignée"))]
    if by == "status":
        return status_labels()
    if by == "institution_type":
        return [*OrganisationType.choices, ("", _("Sans établissement"))]
    if by == "population":
        populations = Population.objects.order_by("position", "code")
        if filters.population is not None:
            populations = populations.filter(pk=filters.population.pk)
        return [(p.pk, p.title) for p in populations] + [(None, _("Public non renseigné"))]
    if by == "institution":
        found = Organisation.objects.filter(pk__in=[key for key in present if key is not None])
        return [(o.pk, o.name) for o in found.order_by("name")]
    found = Award.objects.order_by("title_fr")
    if filters.programme is not None:
        return [(filters.programme.pk, filters.programme.title)]
    return [(a.pk, a.title) for a in found] + [(None, _("Hors programme"))]


def _breakdown_rows(filters: Filters, by: str) -> tuple[Any, Any]:
    """(summary rows grouped by `by`, summary rows of the total) for a breakdown."""
    scope = scope_of(filters)
    if by == "institution_type" and scope["scope"] in (Scope.ALL, Scope.TYPE):
        grouped = rows(ReachSummary, filters, scope=Scope.TYPE, **_type_of(filters))
    elif by == "institution" and scope["scope"] != Scope.ORGANISATION:
        grouped = rows(ReachSummary, filters, scope=Scope.ORGANISATION, **_type_of(filters))
    elif by == "programme" and scope["scope"] != Scope.AWARD:
        grouped = rows(ReachSummary, filters, scope=Scope.AWARD)
    else:
        grouped = rows(ReachSummary, filters)
    return grouped, rows(ReachSummary, filters)


def _type_of(filters: Filters) -> dict[str, str]:
    return {"institution_type": filters.institution_type} if filters.institution_type else {}


def _percent(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _compatible(filters: Filters, by: str) -> tuple[Filters, bool]:
    """The summary tables count a programme's learners or an institution's, never both:
    a breakdown by institution leaves out a programme filter, and the reverse (the table's
    notes say so). Returns the filters used and whether one was left out."""
    if by in ("institution_type", "institution") and filters.programme is not None:
        return replace(filters, programme=None), True
    if by == "programme" and (filters.institution_type or filters.institution is not None):
        return replace(filters, institution_type="", institution=None), True
    return filters, False


def _share_of_total(counts: list[int], enrolled: list[int | None], hidden: set[int]) -> Any:
    """The total's % reached: the learners of the rows with a denominator over their
    enrolled learners. That part is a sum of some cells only, so it would give hidden cells
    away when hidden cells sit both among and outside those rows: it is then hidden."""
    inside = {index for index, figure in enumerate(enrolled) if figure}
    whole = sum(enrolled[index] or 0 for index in inside)
    if not whole:
        return no_figure()
    part = sum(counts[index] for index in inside)
    split = bool(hidden & inside) and bool(hidden - inside)
    return shown(_percent(part, whole), part, split)


def breakdown(filters: Filters, by: str) -> Table:
    """Reach by `by` (a key of BREAKDOWNS) for the filters' year and scope, with a total row.
    Counts are suppressed column by column (small cells and their complements); % reached
    follows its reached count and hours follow their trained learners. Institutions and
    programmes share learners, so their rows can add up to more than the total."""
    code, field = BREAKDOWNS[by]
    filters, left_out = _compatible(filters, by)
    grouped, whole = _breakdown_rows(filters, by)
    sums = reach_sums(grouped, field)
    total = reach_total(whole)
    enrolled = enrolled_by(filters, by)
    keys = _labels(filters, by, set(sums))
    values = [sums.get(key, empty_sums()) for key, _label in keys]
    hidden = {
        column: hidden_in_line([value[column] for value in values])
        for column in ("reached", "assessed", "certified", "trained")
    }
    table_rows = []
    for index, ((key, label), value) in enumerate(zip(keys, values, strict=True)):
        hide = {column: index in lines for column, lines in hidden.items()}
        if enrolled is not None:
            cells = _denominator_cells(value["reached"], enrolled.get(key), hide["reached"])
        else:
            cells = [shown(value["reached"], value["reached"], hide["reached"])]
        cells += [
            shown(value["assessed"], value["assessed"], hide["assessed"]),
            shown(value["certified"], value["certified"], hide["certified"]),
            shown(hours_figure(value["trained_hours"]), value["trained"], hide["trained"]),
        ]
        table_rows.append(Row(NOT_STATED if key in (None, "") else str(key), label, tuple(cells)))
    total_cells = [shown(total["reached"], total["reached"])]
    if enrolled is not None:
        figures = [enrolled.get(key) for key, _label in keys]
        enrolled_total = sum(figure or 0 for figure in figures)
        counts = [value["reached"] for value in values]
        total_cells = [
            shown(enrolled_total, 0) if enrolled_total else no_figure(),
            *total_cells,
            _share_of_total(counts, figures, hidden["reached"]),
        ]
    total_cells += [
        shown(total["assessed"], total["assessed"]),
        shown(total["certified"], total["certified"]),
        shown(hours_figure(total["trained_hours"]), total["trained"]),
    ]
    notes = _notes(by)
    if left_out:
        notes += (
            _(
                "Ce tableau ne croise pas programmes et établissements : le filtre "
                "correspondant n'y est pas appliqué."
            ),
        )
    return Table(
        code=code,
        title=_breakdown_title(by),
        label_header=_breakdown_header(by),
        columns=_columns(by, enrolled is not None),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), tuple(total_cells)),
        notes=notes,
    )


def _denominator_cells(reached: int, enrolled: int | None, hide: bool) -> list[Any]:
    return [
        shown(enrolled, 0) if enrolled else no_figure(),
        shown(reached, reached, hide),
        shown(_percent(reached, enrolled), reached, hide) if enrolled else no_figure(),
    ]


def _columns(by: str, with_denominator: bool) -> tuple[str, ...]:
    first = _("Apprenants prévus") if by == "programme" else _("Inscrits")
    head = (first, _("Touchés"), _("% touchés")) if with_denominator else (_("Touchés"),)
    return (*head, _("Positionnés"), _("Certifiés"), _("Heures de formation suivies"))


def _breakdown_title(by: str) -> str:
    return {
        "population": _("Apprenants touchés par public"),
        "region": _("Apprenants touchés par région"),
        "institution_type": _("Apprenants touchés par type d'établissement"),
        "institution": _("Apprenants touchés par établissement"),
        "programme": _("Apprenants touchés par programme"),
        "status": _("Professionnels touchés par situation"),
    }[by]


def _breakdown_header(by: str) -> str:
    return {
        "population": _("Public"),
        "region": _("Région"),
        "institution_type": _("Type d'établissement"),
        "institution": _("Établissement"),
        "programme": _("Programme"),
        "status": _("Situation"),
    }[by]


def _notes(by: str) -> tuple[str, ...]:
    notes: list[str] = []
    if by == "region":
        notes.append(
            _(
                "Région de l'apprenant déclarée dans son profil ; inscrits : effectifs des "
                "établissements situés dans la région."
            )
        )
    if by in ("institution", "programme", "institution_type"):
        notes.append(
            _(
                "Un apprenant de plusieurs établissements ou programmes compte dans chacun ; "
                "le total le compte une fois."
            )
        )
    return tuple(notes)


def programmes(filters: Filters) -> Table:
    """Each award (programme) with its awardee, planned and reached learners in the
    filters' year and % of the plan reached. Three queries."""
    awards = Award.objects.select_related("organisation").order_by("title_fr")
    if filters.programme is not None:
        awards = awards.filter(pk=filters.programme.pk)
    awards = list(awards)
    planned = enrolled_by(filters, "programme") or {}
    reached = {
        key: value["reached"]
        for key, value in reach_sums(
            rows(ReachSummary, filters, scope=Scope.AWARD), "award_id"
        ).items()
    }
    counts = [reached.get(award.pk, 0) for award in awards]
    hidden = hidden_in_line(counts)
    table_rows = []
    for index, award in enumerate(awards):
        label = _("%(award)s — %(awardee)s") % {
            "award": award.title,
            "awardee": award.organisation.name,
        }
        cells = _denominator_cells(counts[index], planned.get(award.pk), index in hidden)
        table_rows.append(Row(award.code, label, tuple(cells)))
    # No total row: the "by programme" breakdown of the same page has one, with its own
    # complementary cell; a second total here could give a hidden award away.
    return Table(
        code="programmes",
        title=_("Programmes : apprenants prévus et touchés"),
        label_header=_("Programme et lauréat"),
        columns=(_("Apprenants prévus"), _("Touchés"), _("% du prévu")),
        rows=tuple(table_rows),
        notes=(_("Un apprenant de plusieurs programmes compte dans chacun."),),
    )


def demo_in_scope(filters: Filters) -> bool:
    """Whether the figures count demo data (a demo institution or programme with learners
    in the filters' year), for the pages' "données de démonstration" mark. One query."""
    if filters.institution is not None:
        return filters.institution.is_demo
    if filters.programme is not None:
        return filters.programme.is_demo
    demo_organisations = Organisation.objects.filter(is_demo=True).values("pk")
    demo_awards = Award.objects.filter(is_demo=True).values("pk")
    return (
        ReachSummary.objects.filter(academic_year=filters.year)
        .filter(
            Q(scope=Scope.ORGANISATION, organisation_id__in=demo_organisations)
            | Q(scope=Scope.AWARD, award_id__in=demo_awards)
        )
        .exists()
    )


def refreshed_at(filters: Filters) -> datetime | None:
    """When the figures of the filters' year were last computed (None: never). One query."""
    run = RefreshRun.objects.filter(academic_year=filters.year).first()
    return run.refreshed_at if run else None


def narrows_to_hidden(filters: Filters) -> bool:
    """True when a filter picks a group whose figures the broader page hides (a group of
    fewer than 10 learners, or the complement of one): its own page would give them away
    by subtraction from the broader totals, so the filters are refused."""
    checks = (
        ("population", filters.population.pk if filters.population else None, "population"),
        ("region", filters.region or None, "region"),
        ("institution_type", filters.institution_type or None, "institution_type"),
        ("institution", filters.institution.pk if filters.institution else None, "institution"),
        ("programme", filters.programme.pk if filters.programme else None, "programme"),
    )
    for by, key, field in checks:
        if key is None:
            continue
        cleared = None if field in ("population", "institution", "programme") else ""
        table = breakdown(replace(filters, **{field: cleared}), by)
        row = next((row for row in table.rows if row.key == str(key)), None)
        if row is not None and any(cell.hidden for cell in row.cells):
            return True
    return False
