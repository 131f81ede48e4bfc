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
- `programmes(filters)`: the awards with their planned and reached learners.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from palier.accounts.choices import LearnerStatus, Region
from palier.frameworks.models import Area, Population
from palier.frameworks.queries import current_framework
from palier.organisations.choices import OrganisationType
from palier.organisations.models import Organisation
from palier.steering.filters import Filters
from palier.steering.headline import TargetProgress, headline
from palier.steering.models import Award, GapSummary, LevelSummary, ReachSummary, Scope
from palier.steering.privacy import hidden_in_line, hidden_in_table, is_small, shown
from palier.steering.summaries import (
    empty_sums,
    enrolled_by,
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
    "headline",
    "levels",
    "profile_gaps",
    "programmes",
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
NOT_STATED = "none"


def _hidden_note() -> str:
    return _("« < 10 » : chiffre masqué, calculé sur moins de 10 apprenants.")


def _labels(filters: Filters, by: str, present: set[Any]) -> list[tuple[Any, str]]:
    """The rows of a breakdown, in order: every region, status, institution type and
    population (even at zero), the institutions and programmes with learners."""
    if by == "region":
        return [*Region.choices, ("", _("Région non renseignée"))]
    if by == "status":
        return [*LearnerStatus.choices, ("", _("Situation non renseignée"))]
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


def _hours(value: Any) -> float:
    return float(Decimal(value).quantize(Decimal("0.1")))


def breakdown(filters: Filters, by: str) -> Table:
    """Reach by `by` (a key of BREAKDOWNS) for the filters' year and scope, with a total row.
    Counts are suppressed column by column (small cells and their complements); % reached
    follows its reached count and hours follow their trained learners. Institutions and
    programmes share learners, so their rows can add up to more than the total."""
    code, field = BREAKDOWNS[by]
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
    with_denominator = enrolled is not None
    table_rows = []
    for index, ((key, label), value) in enumerate(zip(keys, values, strict=True)):
        cells = []
        if with_denominator:
            cells += _denominator_cells(
                value["reached"], enrolled.get(key), index in hidden["reached"]
            )
        cells += [
            shown(value["assessed"], value["assessed"], index in hidden["assessed"]),
            shown(value["certified"], value["certified"], index in hidden["certified"]),
            shown(_hours(value["trained_hours"]), value["trained"], index in hidden["trained"]),
        ]
        if not with_denominator:
            cells.insert(0, shown(value["reached"], value["reached"], index in hidden["reached"]))
        table_rows.append(Row(NOT_STATED if key in (None, "") else str(key), label, tuple(cells)))
    total_cells = []
    if with_denominator:
        known = [
            value["reached"]
            for (key, _l), value in zip(keys, values, strict=True)
            if enrolled.get(key)
        ]
        enrolled_total = sum(enrolled.get(key) or 0 for key, _label in keys)
        total_cells += [
            shown(enrolled_total or None, 0) if enrolled_total else _no_figure(),
            shown(total["reached"], total["reached"]),
            shown(_percent(sum(known), enrolled_total), sum(known))
            if enrolled_total
            else _no_figure(),
        ]
    else:
        total_cells.append(shown(total["reached"], total["reached"]))
    total_cells += [
        shown(total["assessed"], total["assessed"]),
        shown(total["certified"], total["certified"]),
        shown(_hours(total["trained_hours"]), total["trained"]),
    ]
    return Table(
        code=code,
        title=_breakdown_title(by),
        label_header=_breakdown_header(by),
        columns=_columns(by, with_denominator),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), tuple(total_cells)),
        notes=_notes(by),
    )


def _no_figure() -> Any:
    """A cell with no figure at all (no denominator): None over zero learners, which the
    privacy rule does not count as hidden."""
    return shown(None, 0)


def _denominator_cells(reached: int, enrolled: int | None, hide: bool) -> list[Any]:
    return [
        shown(enrolled, 0) if enrolled else _no_figure(),
        shown(reached, reached, hide),
        shown(_percent(reached, enrolled), reached, hide) if enrolled else _no_figure(),
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
    notes = [_hidden_note()]
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


# --- levels and gaps (shared results only) ------------------------------------------------


def _areas() -> list[Area]:
    framework = current_framework()
    if framework is None:
        return []
    return list(
        Area.objects.filter(framework=framework)
        .annotate(level_count=Count("levels"))
        .order_by("number")
    )


def _populations(filters: Filters, present: set[Any]) -> list[tuple[Any, str]]:
    found = Population.objects.filter(pk__in=[key for key in present if key is not None])
    labels = [(p.pk, p.title) for p in found.order_by("position", "code")]
    if None in present:
        labels.append((None, _("Public non renseigné")))
    return labels


def levels(filters: Filters) -> list[Table]:
    """One table per area of the current framework: learners per level (columns) and
    population (rows), from shared results only, with row and column totals and the
    suppression of a two-way table. Three queries."""
    areas = _areas()
    counts: dict[str, dict[Any, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    grouped = rows(LevelSummary, filters).order_by().values("area", "population_id", "level")
    for row in grouped.annotate(n=Sum("learners")):
        counts[row["area"]][row["population_id"]][row["level"]] = row["n"]
    present = {population for by_population in counts.values() for population in by_population}
    populations = _populations(filters, present)
    return [_level_table(area, counts.get(area.code, {}), populations) for area in areas]


def _level_table(area: Area, counts: dict[Any, dict[int, int]], populations: list) -> Table:
    ranks = list(range(1, max([area.level_count, *[max(c) for c in counts.values() if c], 1]) + 1))
    matrix = [[counts.get(key, {}).get(rank, 0) for rank in ranks] for key, _label in populations]
    hidden = hidden_in_table(matrix)
    table_rows = []
    for r, (key, label) in enumerate(populations):
        line = matrix[r]
        cells = [shown(n, n, (r, c) in hidden) for c, n in enumerate(line)]
        cells.append(shown(sum(line), sum(line)))
        table_rows.append(Row(NOT_STATED if key is None else str(key), label, tuple(cells)))
    columns_total = [sum(matrix[r][c] for r in range(len(matrix))) for c in range(len(ranks))]
    total_cells = [shown(n, n) for n in columns_total] + [
        shown(sum(columns_total), sum(columns_total))
    ]
    return Table(
        code=f"niveaux-{area.code}",
        title=_("%(area)s : apprenants par niveau") % {"area": f"{area.code} {area.title}"},
        label_header=_("Public"),
        columns=(*[_("Niveau %(rank)s") % {"rank": rank} for rank in ranks], _("Total")),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), tuple(total_cells)),
        notes=(_hidden_note(), _("Résultats partagés par les apprenants uniquement.")),
    )


def profile_gaps(filters: Filters) -> Table:
    """Mean gap (level minus the target level of the learner's population) by population
    and area, from shared results only. The target profile is set per area, so the gap is
    per area. A mean follows the learners it is computed from, with the complementary
    suppression of their counts. Three queries."""
    areas = _areas()
    sums: dict[tuple[Any, str], tuple[int, int]] = {}
    grouped = rows(GapSummary, filters).order_by().values("population_id", "area")
    for row in grouped.annotate(n=Sum("learners"), gap=Sum("gap_sum")):
        sums[(row["population_id"], row["area"])] = (row["n"], row["gap"])
    populations = _populations(filters, {population for population, _area in sums})
    matrix = [[sums.get((key, a.code), (0, 0))[0] for a in areas] for key, _label in populations]
    hidden = hidden_in_table(matrix)
    table_rows = []
    for r, (key, label) in enumerate(populations):
        cells = []
        for c, area in enumerate(areas):
            n, gap = sums.get((key, area.code), (0, 0))
            cells.append(shown(round(gap / n, 2) if n else None, n, (r, c) in hidden))
        table_rows.append(Row(NOT_STATED if key is None else str(key), label, tuple(cells)))
    total_cells = []
    for area in areas:
        n = sum(v[0] for (_p, code), v in sums.items() if code == area.code)
        gap = sum(v[1] for (_p, code), v in sums.items() if code == area.code)
        total_cells.append(shown(round(gap / n, 2) if n else None, n))
    return Table(
        code="ecarts",
        title=_("Écart moyen au profil cible, par public et domaine"),
        label_header=_("Public"),
        columns=tuple(f"{area.code} {area.title}" for area in areas),
        rows=tuple(table_rows),
        total=Row("total", _("Tous les publics"), tuple(total_cells)),
        notes=(
            _hidden_note(),
            _("Niveau moins niveau cible, en niveaux : négatif = en dessous de la cible."),
            _("Résultats partagés par les apprenants uniquement."),
        ),
    )


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
    total_planned = sum(planned.get(award.pk) or 0 for award in awards)
    total_reached = sum(counts)
    known = sum(c for award, c in zip(awards, counts, strict=True) if planned.get(award.pk))
    total = (
        shown(total_planned, 0) if total_planned else _no_figure(),
        shown(total_reached, total_reached, is_small(total_reached)),
        shown(_percent(known, total_planned), known) if total_planned else _no_figure(),
    )
    return Table(
        code="programmes",
        title=_("Programmes : apprenants prévus et touchés"),
        label_header=_("Programme et lauréat"),
        columns=(_("Apprenants prévus"), _("Touchés"), _("% du prévu")),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), total),
        notes=(
            _hidden_note(),
            _("Un apprenant de plusieurs programmes compte dans chacun."),
        ),
    )
