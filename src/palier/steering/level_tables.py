"""The level distributions and profile gaps of the national dashboard, from shared results
only (`LevelSummary`; a scope's rows are a few hundred, summed here): tables by population
and area, suppressed as two-way tables with row and column totals."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from palier.frameworks.models import Area, Population
from palier.frameworks.queries import current_framework
from palier.steering.filters import Filters
from palier.steering.models import LevelSummary
from palier.steering.privacy import hidden_in_table, shown
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
    counts: dict[str, dict[Any, dict[int, int]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(int))
    )
    found = rows(LevelSummary, filters).order_by().values_list("population_id", "levels")
    for population, by_area in found:
        for area, by_level in by_area.items():
            for level, learners in by_level.items():
                counts[area][population][int(level)] += learners
    present = {population for by_population in counts.values() for population in by_population}
    populations = _populations(filters, present)
    return [_level_table(area, counts.get(area.code, {}), populations) for area in areas]


def _level_table(area: Area, counts: dict[Any, dict[int, int]], populations: list) -> Table:
    ranks = list(range(1, max([area.level_count, *[max(c) for c in counts.values() if c], 1]) + 1))
    matrix = [[counts.get(key, {}).get(rank, 0) for rank in ranks] for key, _label in populations]
    # The totals are cells of the table too (each line sums to its last cell), so that a
    # hidden total cannot come back from the grand total and the other totals.
    matrix = [[*line, sum(line)] for line in matrix]
    matrix.append([sum(line[c] for line in matrix) for c in range(len(ranks) + 1)])
    hidden = hidden_in_table(matrix)
    cells_of = [
        tuple(shown(n, n, (r, c) in hidden) for c, n in enumerate(line))
        for r, line in enumerate(matrix)
    ]
    table_rows = [
        Row(NOT_STATED if key is None else str(key), label, cells_of[r])
        for r, (key, label) in enumerate(populations)
    ]
    total_cells = list(cells_of[-1])
    return Table(
        code=f"niveaux-{area.code}",
        title=_("%(area)s : apprenants par niveau") % {"area": f"{area.code} {area.title}"},
        label_header=_("Public"),
        columns=(*[_("Niveau %(rank)s") % {"rank": rank} for rank in ranks], _("Total")),
        rows=tuple(table_rows),
        total=Row("total", _("Total"), tuple(total_cells)),
        notes=(_("Résultats partagés par les apprenants uniquement."),),
    )


def profile_gaps(filters: Filters) -> Table:
    """Mean gap (level minus the target level of the learner's population) by population
    and area, from shared results only. The target profile is set per area, so the gap is
    per area. A mean follows the learners it is computed from, with the complementary
    suppression of their counts. Three queries."""
    areas = _areas()
    sums: dict[tuple[Any, str], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for population, by_area in (
        rows(LevelSummary, filters).order_by().values_list("population_id", "gaps")
    ):
        for area, (learners, gap) in by_area.items():
            before = sums[(population, area)]
            sums[(population, area)] = (before[0] + learners, before[1] + gap)
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
            _("Niveau moins niveau cible, en niveaux : négatif = en dessous de la cible."),
            _("Résultats partagés par les apprenants uniquement."),
        ),
    )
