"""The steering summary tables, rebuilt from the indicators' definitions.

`refresh(years)` rebuilds each academic year in its own transaction (delete, then bulk
insert), so a page reads either the old or the new figures of a year, never a mix. The
dashboards read only these tables (and the small denominator tables), which is what keeps
them fast at national scale; the nightly task `steering.tasks.refresh_aggregates` and the
command `palier steering_refresh` call it.

How a year is counted: by the database (`aggregates_sql.py`): a few temporary tables built
from the indicators' definitions, then one grouped query per summary table, where "each
learner once per scope key" is a join with the learners' scope keys; Python only shapes the
grouped cells into rows. Rows hold counts only.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model
from django.utils import timezone

from palier.steering.aggregates_sql import YearTables
from palier.steering.models import LevelSummary, ReachSummary, RefreshRun, RouteHoursSummary
from palier.steering.years import academic_year, years_until

BATCH_SIZE = 5000


@dataclass(frozen=True)
class RefreshReport:
    years: tuple[int, ...]
    rows: int
    seconds: float


def default_years() -> list[int]:
    """Every academic year the plan counts, up to the current one."""
    return years_until(academic_year(timezone.localdate()))


def refresh(years: Iterable[int] | None = None) -> RefreshReport:
    """Rebuild the summary rows of `years` (default: every year up to the current one)."""
    chosen = tuple(sorted(set(years if years is not None else default_years())))
    started = time.monotonic()
    rows = 0
    for year in chosen:
        rows += refresh_year(year)
    return RefreshReport(chosen, rows, round(time.monotonic() - started, 3))


def refresh_year(year: int, who: Any = None) -> int:
    """Rebuild one academic year's rows in one transaction; returns the rows written.
    (`who` is accepted for older callers and ignored: the database reads the profiles.)"""
    started = time.monotonic()
    using = router.db_for_write(ReachSummary)
    tables = YearTables(year, using)
    try:
        tables.build()
        reach = [(year, *cell) for cell in tables.reach_cells()]
        levels = list(level_rows(year, tables.level_cells()))
        hours = [(year, *cell) for cell in tables.route_cells()]
    finally:
        tables.drop()
    with transaction.atomic(using=using):
        for model in (ReachSummary, LevelSummary, RouteHoursSummary):
            model.objects.using(using).filter(academic_year=year).delete()
        write(ReachSummary, REACH_COLUMNS, reach)
        write(LevelSummary, LEVEL_COLUMNS, levels)
        write(RouteHoursSummary, ROUTE_HOURS_COLUMNS, hours)
        written = len(reach) + len(levels) + len(hours)
        RefreshRun.objects.using(using).update_or_create(
            academic_year=year,
            defaults={
                "refreshed_at": timezone.now(),
                "rows": written,
                "seconds": round(time.monotonic() - started, 3),
            },
        )
    return written


def level_rows(year: int, cells: Iterable[tuple]) -> Iterator[tuple]:
    """LevelSummary rows (LEVEL_COLUMNS) from the grouped level cells (`YearTables.
    level_cells`): every area of a (scope key, population, region) in one row, `levels` =
    {area: {level: learners}}, `gaps` = {area: [learners with a target, sum of gaps]}."""
    levels: dict[tuple, dict] = defaultdict(lambda: defaultdict(dict))
    gaps: dict[tuple, dict] = defaultdict(dict)
    for *key, area, level, learners, with_target, gap_sum in cells:
        cell = tuple(key)
        levels[cell][area][str(level)] = int(learners)
        if with_target:
            gap = gaps[cell].setdefault(area, [0, 0])
            gap[0] += int(with_target)
            gap[1] += int(gap_sum)
    for cell, by_area in levels.items():
        yield (year, *cell, {area: counts for area, counts in by_area.items()}, gaps.get(cell, {}))


SCOPE_COLUMNS = (
    "academic_year",
    "scope",
    "institution_type",
    "organisation_id",
    "award_id",
    "population_id",
    "region",
)
REACH_COLUMNS = (
    *SCOPE_COLUMNS,
    "status",
    "active",
    "reached",
    "assessed",
    "trained",
    "certified",
    "trained_hours",
    "planned_hours",
)
LEVEL_COLUMNS = (*SCOPE_COLUMNS, "levels", "gaps")
ROUTE_HOURS_COLUMNS = (
    *SCOPE_COLUMNS,
    "status",
    "route",
    "planned_learners",
    "completed_learners",
    "planned_hours",
    "completed_hours",
)


def write(model: type[Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert `rows` (values in `columns` order): COPY on PostgreSQL (a national year is
    some 10^5 rows), bulk inserts elsewhere."""
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(columns, row, strict=True))) for row in rows), batch_size=BATCH_SIZE
        )
        return
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    json_columns = {index for index, column in enumerate(columns) if column in ("levels", "gaps")}
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(value) if index in json_columns else value
                    for index, value in enumerate(row)
                ]
            )
