"""The level distributions and profile gaps of the national dashboard, from shared results
only (`LevelSummary`; a scope's rows are a few hundred, summed here): tables by population
and area, suppressed as two-way tables with row and column totals.

The two tables describe the same learners, so they hide consistently: a population's mean
gap in an area is shown only when its whole row of that area's level table is shown (a mean
over partly hidden counts would give them back: with the row total, the mean level is a
second equation), and an area's mean over all populations only when every population's
mean in that area is shown (it is then derived from shown figures and tells nothing more)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from palier.frameworks.models import Area, Population
from palier.frameworks.queries import current_framework
from palier.steering.filters import Filters
from palier.steering.models import LevelSummary
from palier.steering.privacy import Shown, hidden_in_table, is_small, no_figure, shown, with_totals
from palier.steering.summaries import rows
from palier.steering.tables import Row, Table

NOT_STATED = "none"


def _areas() -> list[Area]:
    framework = current_framework()
    if framework is None:
        return []
    return list(
        Area.objects.filter(framework=framework)
        .annotate(level_count=Count("levels"))
        .order_by("number")
    )


def _populations(present: set[Any]) -> list[tuple[Any, str]]:
    found = Population.objects.filter(pk__in=[key for key in present if key is not None])
    labels = [(p.pk, p.title) for p in found.order_by("position", "code")]
    if None in present:
        labels.append((None, _("Public non renseigné")))
    return labels


@dataclass(frozen=True)
class _Shared:
    """The shared results of a scope, summed: per area and population, learners per level
    and [learners with a target, sum of their gaps]."""

    areas: list[Area]
    populations: list[tuple[Any, str]]
    levels: dict[str, dict[Any, dict[int, int]]]
    gaps: dict[tuple[Any, str], tuple[int, int]]


def _shared(filters: Filters) -> _Shared:
    """Three queries: the areas, the summary rows, the populations."""
    areas = _areas()
    counts: dict[str, dict[Any, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    sums: dict[tuple[Any, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    found = rows(LevelSummary, filters).order_by().values_list("population_id", "levels", "gaps")
    for population, by_area, gaps in found:
        for area, by_level in by_area.items():
            for level, learners in by_level.items():
                counts[area][population][int(level)] += learners
        for area, (learners, gap) in gaps.items():
            before = sums[(population, area)]
            sums[(population, area)] = (before[0] + learners, before[1] + gap)
    present = {population for by_population in counts.values() for population in by_population}
    return _Shared(areas, _populations(present), counts, sums)


def levels(filters: Filters) -> list[Table]:
    """One table per area of the current framework: learners per level (columns) and
    population (rows), from shared results only, with row and column totals and the
    suppression of a two-way table. Three queries."""
    shared = _shared(filters)
    return [
        _level_table(area, shared.levels.get(area.code, {}), shared.populations)
        for area in shared.areas
    ]


def _level_table(area: Area, counts: dict[Any, dict[int, int]], populations: list) -> Table:
    ranks = list(range(1, max([area.level_count, *[max(c) for c in counts.values() if c], 1]) + 1))
    matrix = [[counts.get(key, {}).get(rank, 0) for rank in ranks] for key, _label in populations]
    matrix = with_totals(matrix, len(ranks))
    hidden = hidden_in_table(matrix)
    cells_of = [
        tuple(shown(n, n, (r, c) in hidden) for c, n in enumerate(line))
        for r, line in enumerate(matrix)
    ]
    table_rows = [
        Row(NOT_STATED if key is None else str(key), label, cells_of[r])
        for r, (key, label) in enumerate(populations)
    ]
    return Table(
        code=f"niveaux-{area.code}",
        title=_("%(area)s : apprenants par niveau") % {"area": f"{area.code} {area.title}"},
        label_header=_("Public"),
        columns=(*[_("Niveau %(rank)s") % {"rank": rank} for rank in ranks], _("Total")),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), cells_of[-1]),
        notes=(_("Résultats partagés par les apprenants uniquement."),),
    )


def _mean(gap: int, learners: int, hide: bool) -> Shown:
    if not learners:
        return no_figure()
    return shown(round(gap / learners, 2), learners, hide)


def profile_gaps(filters: Filters) -> Table:
    """Mean gap (level minus the target level of the learner's population) by population
    and area, from shared results only. The target profile is set per area, so the gap is
    per area. A mean is shown only where the level table of its area shows every figure it
    is computed from (see the module's docstring). Three queries."""
    shared = _shared(filters)
    populations = [
        (key, label)
        for key, label in shared.populations
        if any(shared.gaps.get((key, area.code), (0, 0))[0] for area in shared.areas)
    ]
    columns: list[list[Shown]] = []
    for area in shared.areas:
        counts = shared.levels.get(area.code, {})
        level_rows = {row.key: row for row in _level_table(area, counts, shared.populations).rows}
        column = []
        for key, _label in populations:
            learners, gap = shared.gaps.get((key, area.code), (0, 0))
            in_levels = sum(counts.get(key, {}).values())
            level_row = level_rows[NOT_STATED if key is None else str(key)]
            hide = any(cell.hidden for cell in level_row.cells) or is_small(in_levels - learners)
            column.append(_mean(gap, learners, hide))
        learners = sum(shared.gaps.get((key, area.code), (0, 0))[0] for key, _l in populations)
        gap = sum(shared.gaps.get((key, area.code), (0, 0))[1] for key, _l in populations)
        column.append(_mean(gap, learners, any(cell.hidden for cell in column)))
        columns.append(column)
    table_rows = [
        Row(
            NOT_STATED if key is None else str(key),
            label,
            tuple(column[r] for column in columns),
        )
        for r, (key, label) in enumerate(populations)
    ]
    return Table(
        code="ecarts",
        title=_("Écart moyen au profil cible, par public et domaine"),
        label_header=_("Public"),
        columns=tuple(f"{area.code} {area.title}" for area in shared.areas),
        rows=tuple(table_rows),
        total=Row("total", _("Tous les publics"), tuple(column[-1] for column in columns)),
        notes=(
            _("Niveau moins niveau cible, en niveaux : négatif = en dessous de la cible."),
            _("Résultats partagés par les apprenants uniquement."),
            _(
                "Un écart moyen est masqué quand un chiffre du tableau des niveaux dont il "
                "découle est masqué."
            ),
        ),
    )
