"""The steering summary tables, rebuilt from the indicators' definitions.

`refresh(years)` rebuilds each academic year in its own transaction (delete, then bulk
insert), so a page reads either the old or the new figures of a year, never a mix. The
dashboards read only these tables (and the small denominator tables), which is what keeps
them fast at national scale; the nightly task `steering.tasks.refresh_aggregates` and the
command `palier steering_refresh` call it.

How a year is counted: a few flat reads (the ids of the assessed, trained and certified
learners, hours per learner, memberships of institutions and awards, the profiles, the
shared levels), then counting in memory, where "each learner once per scope key" is a set
operation rather than a DISTINCT over several joins. Rows hold counts only.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Model, Sum
from django.utils import timezone

from palier.accounts.models import LearnerProfile
from palier.campaigns.models import Campaign, SharedLevel
from palier.steering import indicators
from palier.steering.models import (
    AwardCampaign,
    AwardModule,
    LevelSummary,
    ReachSummary,
    RefreshRun,
    RouteHoursSummary,
    Scope,
)
from palier.steering.years import academic_year, years_until
from palier.training.queries import route_hours_per_learner

BATCH_SIZE = 5000
# Rows read from the database at a time when streaming large reads.
CHUNK_SIZE = 20000
NO_PROFILE = (None, "", "")

# A learner's (population, region, status), by user id.
Profiles = dict[int, tuple[int | None, str, str]]
# A scope key: (scope, institution type, organisation id, award id).
ScopeKey = tuple[str, str, int | None, int | None]
ALL_KEY: ScopeKey = (Scope.ALL.value, "", None, None)


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
    who = profiles()
    rows = 0
    for year in chosen:
        rows += refresh_year(year, who)
    return RefreshReport(chosen, rows, round(time.monotonic() - started, 3))


def refresh_year(year: int, who: Profiles | None = None) -> int:
    """Rebuild one academic year's rows in one transaction; returns the rows written."""
    started = time.monotonic()
    who = profiles() if who is None else who
    places = institutions(year)
    funded = awards(year)
    reach = list(reach_rows(year, who, places, funded))
    levels = list(level_rows(year, who))
    hours = list(route_hours_rows(year, who, places, funded))
    with transaction.atomic():
        for model in (ReachSummary, LevelSummary, RouteHoursSummary):
            model.objects.filter(academic_year=year).delete()
        write(ReachSummary, REACH_COLUMNS, reach)
        write(LevelSummary, LEVEL_COLUMNS, levels)
        write(RouteHoursSummary, ROUTE_HOURS_COLUMNS, hours)
        written = len(reach) + len(levels) + len(hours)
        RefreshRun.objects.update_or_create(
            academic_year=year,
            defaults={
                "refreshed_at": timezone.now(),
                "rows": written,
                "seconds": round(time.monotonic() - started, 3),
            },
        )
    return written


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


# --- reading the year ------------------------------------------------------------------


def _ids(queryset: Any, field: str = "user_id") -> set[int]:
    rows = queryset.order_by().values_list(field, flat=True).distinct()
    return set(rows.iterator(chunk_size=CHUNK_SIZE))


def _hours(entries: Any) -> dict[int, Decimal]:
    rows = entries.order_by().values("user_id").annotate(hours=Sum("module__hours"))
    return {row["user_id"]: row["hours"] or Decimal(0) for row in rows.iterator(CHUNK_SIZE)}


def profiles() -> Profiles:
    """(population, region, status) of every learner with a profile (the same tuple is
    shared by the learners of one cell, to keep a national refresh's memory small)."""
    rows = LearnerProfile.objects.values_list("user_id", "population_id", "region", "status")
    cells: dict[tuple, tuple] = {}
    found: Profiles = {}
    for user, *values in rows.iterator(CHUNK_SIZE):
        cell = tuple(values)
        found[user] = cells.setdefault(cell, cell)
    return found


def institutions(year: int) -> dict[int, list[tuple[int, str]]]:
    """Each learner's institutions (organisation id, type) in `year`."""
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    kinds: dict[tuple, tuple] = {}
    rows = (
        indicators.memberships(year)
        .order_by()
        .values_list("user_id", "campaign__organisation_id", "campaign__organisation__type")
        .distinct()
    )
    for user, *place in rows.iterator(CHUNK_SIZE):
        found[user].append(kinds.setdefault(tuple(place), tuple(place)))
    return found


def awards(year: int) -> dict[int, set[int]]:
    """Each learner's awards in `year`: participants of the award's campaigns, learners who
    completed one of its modules, candidates of its sessions held during the year."""
    start, end = indicators.moments(year)
    found: dict[int, set[int]] = defaultdict(set)
    sources = (
        indicators.memberships(year)
        .filter(campaign__award_link__isnull=False)
        .values_list("user_id", "campaign__award_link__award_id"),
        AwardModule.objects.filter(
            module__plan_entries__progress="completed",
            module__plan_entries__completed_at__gte=start,
            module__plan_entries__completed_at__lt=end,
        ).values_list("module__plan_entries__user_id", "award_id"),
        indicators.sat_sessions(year)
        .filter(session__award_link__isnull=False)
        .values_list("user_id", "session__award_link__award_id"),
    )
    for rows in sources:
        for user, award in rows.order_by().distinct().iterator(CHUNK_SIZE):
            found[user].add(award)
    return found


def _scopes(
    user: int, places: dict[int, list[tuple[int, str]]], funded: dict[int, set[int]]
) -> Iterator[ScopeKey]:
    """The scope keys a learner counts in (once each)."""
    yield ALL_KEY
    own = places.get(user, [])
    for kind in {kind for _organisation, kind in own} or {""}:
        yield (Scope.TYPE.value, kind, None, None)
    for organisation, kind in own:
        yield (Scope.ORGANISATION.value, kind, organisation, None)
    for award in funded.get(user, set()) or {None}:
        yield (Scope.AWARD.value, "", None, award)


def reach_rows(
    year: int,
    who: Profiles,
    places: dict[int, list[tuple[int, str]]] | None = None,
    funded: dict[int, set[int]] | None = None,
) -> Iterator[tuple]:
    """ReachSummary rows (REACH_COLUMNS) of one year (`places` and `funded`: the year's
    `institutions` and `awards`, read here when not given)."""
    assessed = _ids(indicators.finished_positioning_tests(year))
    trained = _ids(indicators.completed_mapped_modules(year))
    certified = _ids(indicators.valid_certificates(year), "candidate__user_id")
    trained_hours = _hours(indicators.completed_mapped_modules(year))
    planned_hours = _hours(indicators.planned_mapped_modules(year))
    places = institutions(year) if places is None else places
    funded = awards(year) if funded is None else funded
    active = assessed | trained | certified | set(places)
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, 0, 0, Decimal(0), Decimal(0)])
    for user in active:
        population, region, status = who.get(user, NO_PROFILE)
        is_reached = user in assessed or user in trained
        for scope in _scopes(user, places, funded):
            cell = cells[(*scope, population, region, status)]
            cell[0] += 1
            cell[1] += is_reached
            cell[2] += user in assessed
            cell[3] += user in trained
            cell[4] += user in certified
            cell[5] += trained_hours.get(user, 0)
            cell[6] += planned_hours.get(user, 0)
    for key, values in cells.items():
        yield (year, *key, *values)


def _campaign_scopes() -> dict[int, tuple[ScopeKey, ...]]:
    """The scope keys a result shared in each campaign counts in (one query each)."""
    award_of = dict(AwardCampaign.objects.values_list("campaign_id", "award_id"))
    found: dict[int, tuple[ScopeKey, ...]] = {}
    for campaign, organisation, kind in Campaign.objects.values_list(
        "pk", "organisation_id", "organisation__type"
    ):
        keys: list[ScopeKey] = [
            ALL_KEY,
            (Scope.TYPE.value, kind, None, None),
            (Scope.ORGANISATION.value, kind, organisation, None),
        ]
        if campaign in award_of:
            keys.append((Scope.AWARD.value, "", None, award_of[campaign]))
        found[campaign] = tuple(keys)
    return found


def level_rows(year: int, who: Profiles) -> Iterator[tuple]:
    """LevelSummary rows (LEVEL_COLUMNS) of one year, from shared results only: each
    learner's latest result finished during the year and shared counts once per scope key
    (nationally, per institution type, institution and award), by the learner's profile
    (as for reach). Read learner by learner, so memory holds one learner's results."""
    start, end = indicators.moments(year)
    scopes_of = _campaign_scopes()
    # Per (scope key, population, region): {area: {level: learners}}, {area: [n, gap sum]}.
    levels: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(int)))
    gaps: dict[tuple, dict] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = (
        SharedLevel.objects.filter(
            participation__finished_at__gte=start, participation__finished_at__lt=end
        )
        .order_by("participation__user_id", "participation__shared_at", "pk")
        .values_list(
            "participation__user_id", "participation__campaign_id", "area", "level", "target"
        )
    )
    current: int | None = None
    latest: dict[tuple, tuple[int, int | None]] = {}

    def flush() -> None:
        if current is None:
            return
        population, region, _status = who.get(current, NO_PROFILE)
        for (scope, area), (level, target) in latest.items():
            cell = (*scope, population, region)
            levels[cell][area][str(level)] += 1
            if target is not None:
                gap = gaps[cell][area]
                gap[0] += 1
                gap[1] += level - target

    for user, campaign, area, level, target in rows.iterator(CHUNK_SIZE):
        if user != current:
            flush()
            current, latest = user, {}
        for scope in scopes_of[campaign]:
            latest[(scope, area)] = (level, target)
    flush()
    for cell, by_area in levels.items():
        yield (
            year,
            *cell,
            {area: dict(counts) for area, counts in by_area.items()},
            dict(gaps.get(cell, {})),
        )


def route_hours_rows(
    year: int,
    who: Profiles,
    places: dict[int, list[tuple[int, str]]],
    funded: dict[int, set[int]],
) -> Iterator[tuple]:
    """RouteHoursSummary rows (ROUTE_HOURS_COLUMNS) of one year. The plan entries of a
    year are the framework-mapped module entries added or completed during it: an entry's
    hours count as planned in the year it was added to a plan (`planned_mapped_modules`,
    whatever its progress) and as completed in the year it was completed
    (`completed_mapped_modules`), the same entries as the reach table's planned and
    trained hours. Each learner counts once per scope key, status and route, in the same
    scopes as for reach (`_scopes`), by their profile's population and region."""
    # Per cell: [planned learners, completed learners, planned hours, completed hours].
    cells: dict[tuple, list] = defaultdict(lambda: [0, 0, Decimal(0), Decimal(0)])
    readings = (
        (indicators.planned_mapped_modules(year), 0, "planned_hours"),
        (indicators.completed_mapped_modules(year), 1, "completed_hours"),
    )
    for entries, column, field in readings:
        for row in route_hours_per_learner(entries):
            hours = getattr(row, field)
            if not hours:
                continue
            population, region, _status = who.get(row.user_id, NO_PROFILE)
            for scope in _scopes(row.user_id, places, funded):
                cell = cells[(*scope, population, region, row.status, row.route)]
                cell[column] += 1
                cell[column + 2] += hours
    for key, values in cells.items():
        yield (year, *key, *values)
