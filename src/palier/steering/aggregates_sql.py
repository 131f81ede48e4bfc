"""The counting of a steering refresh, done by the database (`aggregates.refresh_year`).

One academic year is counted in a few temporary tables, built from the indicators'
definitions (`indicators.py`, compiled to SQL by the ORM), then grouped by scope key and
profile; Python only receives the grouped cells (some 10^5 rows for a national year) and
shapes them into summary rows. The same SQL runs on PostgreSQL and SQLite.

The temporary tables of a year (one set per connection, dropped by `YearTables.drop`):
- `assessed`, `certified` (learner), `trained`, `planned` (learner, hours): the learners
  of each indicator, with their hours for the training ones;
- `places` (learner, place, kind): each learner's institutions and their type;
- `funded` (learner, programme): each learner's awards;
- `active`: one row per active learner with 0/1 flags and hours;
- `everyone`: the active learners and those who planned training (the route hours count
  them too);
- `scoped` (learner, scope key): the scope keys each of them counts in, once each —
  national; each institution type, or "" for none; each institution; each award, or none.
For the route hours, `module_routes` (module, status, population, route: the routes of
`training.funding.routes_for`, computed once per combination), the year's
`planned_entries` and `completed_entries`, and `route_learners` (hours per learner, status
and route); for the shared levels, `campaign_keys` (campaign, numbered scope key).
Hours are summed as whole hundredths (module hours have two decimals), so sums are exact
on SQLite as on PostgreSQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import BigIntegerField, F, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Round

from palier.accounts.models import LearnerProfile
from palier.campaigns.models import Campaign, Participation, SharedLevel
from palier.frameworks.models import Population
from palier.steering import indicators
from palier.steering.models import AwardCampaign, AwardModule, Scope
from palier.training.funding import declared_routes, routes_for
from palier.training.models import Module, PlanEntry

PREFIX = "steering_refresh_"
# The learner's profile cell: population, region (and status), "" and none when not stated.
PROFILE_JOIN = "LEFT JOIN {profile} pr ON pr.user_id = {learner}"
REGION = "COALESCE(pr.region, '')"
STATUS = "COALESCE(pr.status, '')"


def hundredths(field: str) -> Sum:
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()))


def hours(value: Any) -> Decimal:
    """Hours from a sum of hundredths (exact)."""
    return Decimal(int(value or 0)).scaleb(-2)


class YearTables:
    """The temporary tables of one year on one connection, and the grouped reads."""

    def __init__(self, year: int, using: str) -> None:
        self.year = year
        self.using = using
        self.connection = connections[using]
        self.created: list[str] = []
        self.profile = self.connection.ops.quote_name(LearnerProfile._meta.db_table)

    def name(self, table: str) -> str:
        return self.connection.ops.quote_name(f"{PREFIX}{table}")

    def execute(self, sql: str, params: Any = ()) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)

    def fetch(self, sql: str, params: Any = ()) -> list[tuple]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def create(self, table: str, select: str, params: Any = ()) -> None:
        name = self.name(table)
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TEMPORARY TABLE {name} AS {select}", params)
        self.created.append(name)
        if self.connection.vendor == "postgresql":
            self.execute(f"ANALYZE {name}")  # autovacuum never analyses temporary tables

    def create_from(self, table: str, queryset: QuerySet) -> None:
        sql, params = queryset.query.get_compiler(using=self.using).as_sql()
        self.create(table, sql, params)

    def drop(self) -> None:
        for name in self.created:
            self.execute(f"DROP TABLE IF EXISTS {name}")
        self.created = []

    # --- the learners of the year ------------------------------------------------------

    def build(self) -> None:
        year = self.year
        learner = {"learner": F("user_id")}
        self.create_from(
            "assessed",
            indicators.finished_positioning_tests(year).order_by().values(**learner).distinct(),
        )
        for table, entries in (
            ("trained", indicators.completed_mapped_modules(year)),
            ("planned", indicators.planned_mapped_modules(year)),
        ):
            self.create_from(
                table,
                entries.order_by().values(**learner).annotate(hours=hundredths("module__hours")),
            )
        self.create_from(
            "certified",
            indicators.valid_certificates(year)
            .order_by()
            .values(learner=F("candidate__user_id"))
            .distinct(),
        )
        self.create_from(
            "places",
            indicators.memberships(year)
            .order_by()
            .values(
                **learner,
                place=F("campaign__organisation_id"),
                kind=F("campaign__organisation__type"),
            )
            .distinct(),
        )
        self.create_from("funded", award_sources(year))
        t = self.name
        self.create(
            "active",
            f"""SELECT people.learner,
                CASE WHEN a.learner IS NULL THEN 0 ELSE 1 END AS assessed,
                CASE WHEN t.learner IS NULL THEN 0 ELSE 1 END AS trained,
                CASE WHEN c.learner IS NULL THEN 0 ELSE 1 END AS certified,
                COALESCE(t.hours, 0) AS trained_hours, COALESCE(p.hours, 0) AS planned_hours
            FROM (SELECT learner FROM {t("assessed")} UNION SELECT learner FROM {t("trained")}
                  UNION SELECT learner FROM {t("certified")}
                  UNION SELECT learner FROM {t("places")}) people
            LEFT JOIN {t("assessed")} a ON a.learner = people.learner
            LEFT JOIN {t("trained")} t ON t.learner = people.learner
            LEFT JOIN {t("certified")} c ON c.learner = people.learner
            LEFT JOIN {t("planned")} p ON p.learner = people.learner""",  # noqa: S608 - own names
        )
        self.create(
            "everyone",
            f"SELECT learner FROM {t('active')} UNION SELECT learner FROM {t('planned')}",  # noqa: S608
        )
        none = "CAST(NULL AS BIGINT)"
        self.create(
            "scoped",
            f"""SELECT learner, '{Scope.ALL.value}' AS scope, '' AS institution_type,
                {none} AS organisation_id, {none} AS award_id FROM {t("everyone")}
            UNION ALL SELECT DISTINCT learner, '{Scope.TYPE.value}', kind, {none}, {none}
                FROM {t("places")}
            UNION ALL SELECT e.learner, '{Scope.TYPE.value}', '', {none}, {none}
                FROM {t("everyone")} e WHERE NOT EXISTS
                (SELECT 1 FROM {t("places")} pl WHERE pl.learner = e.learner)
            UNION ALL SELECT learner, '{Scope.ORGANISATION.value}', kind, place, {none}
                FROM {t("places")}
            UNION ALL SELECT f.learner, '{Scope.AWARD.value}', '', {none}, f.programme
                FROM {t("funded")} f WHERE EXISTS
                (SELECT 1 FROM {t("everyone")} e WHERE e.learner = f.learner)
            UNION ALL SELECT e.learner, '{Scope.AWARD.value}', '', {none}, {none}
                FROM {t("everyone")} e WHERE NOT EXISTS
                (SELECT 1 FROM {t("funded")} f WHERE f.learner = e.learner)""",  # noqa: S608
        )

    # --- grouped reads ----------------------------------------------------------------

    def reach_cells(self) -> list[tuple]:
        """(scope key, population, region, status, active, reached, assessed, trained,
        certified, trained hours, planned hours) per cell."""
        t = self.name
        profile = PROFILE_JOIN.format(profile=self.profile, learner="a.learner")
        rows = self.fetch(
            f"""SELECT s.scope, s.institution_type, s.organisation_id, s.award_id,
                pr.population_id, {REGION}, {STATUS}, COUNT(*),
                SUM(CASE WHEN a.assessed + a.trained > 0 THEN 1 ELSE 0 END),
                SUM(a.assessed), SUM(a.trained), SUM(a.certified),
                SUM(a.trained_hours), SUM(a.planned_hours)
            FROM {t("active")} a JOIN {t("scoped")} s ON s.learner = a.learner {profile}
            GROUP BY s.scope, s.institution_type, s.organisation_id, s.award_id,
                pr.population_id, {REGION}, {STATUS}"""  # noqa: S608 - own names
        )
        return [
            (*row[:7], *(int(n) for n in row[7:12]), hours(row[12]), hours(row[13])) for row in rows
        ]

    def route_cells(self) -> list[tuple]:
        """(scope key, population, region, status, route, planned learners, completed
        learners, planned hours, completed hours) per cell: each learner counts once per
        scope key, status and route, under every route of a module that applies to them."""
        self.module_routes()
        t = self.name
        parts = []
        for table, entries, columns in (
            (
                "planned_entries",
                indicators.planned_mapped_modules(self.year),
                "e.cents AS planned, 0 AS completed",
            ),
            ("completed_entries", indicators.completed_mapped_modules(self.year), "0, e.cents"),
        ):
            # Materialised first, so that the planner knows their size before the join.
            self.create_from(table, route_entries(entries))
            parts.append(
                f"""SELECT e.learner, e.learner_status, mr.route, {columns}
                FROM {t(table)} e JOIN {t("module_routes")} mr ON mr.module_id = e.unit
                AND mr.status = e.learner_status AND mr.population = e.population_key"""  # noqa: S608
            )
        self.create(
            "route_learners",
            f"""SELECT learner, learner_status, route, SUM(planned) AS planned,
                SUM(completed) AS completed
            FROM ({parts[0]}
                  UNION ALL {parts[1]}) x
            GROUP BY learner, learner_status, route""",  # noqa: S608 - own names
        )
        profile = PROFILE_JOIN.format(profile=self.profile, learner="r.learner")
        rows = self.fetch(
            f"""SELECT s.scope, s.institution_type, s.organisation_id, s.award_id,
                pr.population_id, {REGION}, r.learner_status, r.route,
                SUM(CASE WHEN r.planned > 0 THEN 1 ELSE 0 END),
                SUM(CASE WHEN r.completed > 0 THEN 1 ELSE 0 END),
                SUM(r.planned), SUM(r.completed)
            FROM {t("route_learners")} r JOIN {t("scoped")} s ON s.learner = r.learner {profile}
            WHERE r.planned > 0 OR r.completed > 0
            GROUP BY s.scope, s.institution_type, s.organisation_id, s.award_id,
                pr.population_id, {REGION}, r.learner_status, r.route"""  # noqa: S608
        )
        return [
            (*row[:8], int(row[8]), int(row[9]), hours(row[10]), hours(row[11])) for row in rows
        ]

    def module_routes(self) -> None:
        """(module, status, population key, route) for every framework-mapped module and
        every (status, population) of a profile, plus "no profile" ("", 0): the routes of
        `training.funding.routes_for`, computed once per combination."""
        name = self.name("module_routes")
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(
            f"CREATE TEMPORARY TABLE {name} (module_id bigint, status varchar(32), "
            "population bigint, route varchar(32))"
        )
        self.created.append(name)
        populations = Population.objects.using(self.using).in_bulk()
        combos = {("", None)} | set(
            LearnerProfile.objects.using(self.using)
            .order_by()
            .values_list("status", "population_id")
            .distinct()
        )
        modules = Module.objects.using(self.using).filter(pk__in=indicators.mapped_modules())
        rows = []
        for module, funding, price in modules.values_list("pk", "funding_routes", "price_cents"):
            routes = declared_routes(funding, price == 0)
            for status, population in combos:
                for route in routes_for(routes, status or "", populations.get(population)):
                    rows.append((module, status or "", population or 0, route))
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {name} VALUES (%s, %s, %s, %s)", rows)  # noqa: S608
        if self.connection.vendor == "postgresql":
            self.execute(f"ANALYZE {name}")

    def level_cells(self) -> list[tuple]:
        """(scope key, population, region, area, level, learners, learners with a target,
        sum of level - target): each learner's latest shared result of the year per scope
        key and area (latest: shared last, then stored last). Scope keys are numbered here
        (`campaign_keys`) so that the database sorts small integers, not the keys."""
        keys = self.campaign_keys()
        t = self.name
        start, end = indicators.moments(self.year)
        quote = self.connection.ops.quote_name
        levels = quote(SharedLevel._meta.db_table)
        participations = quote(Participation._meta.db_table)
        profile = PROFILE_JOIN.format(profile=self.profile, learner="l.learner")
        finished = self.connection.ops.adapt_datetimefield_value
        rows = self.fetch(
            f"""SELECT l.key_id, pr.population_id, {REGION}, l.area, l.level, COUNT(*),
                COUNT(l.target), SUM(l.level - l.target)
            FROM (SELECT ck.key_id, p.user_id AS learner, sl.area, sl.level, sl.target,
                    ROW_NUMBER() OVER (PARTITION BY p.user_id, ck.key_id, sl.area
                        ORDER BY p.shared_at DESC, sl.id DESC) AS position
                FROM {levels} sl JOIN {participations} p ON p.id = sl.participation_id
                JOIN {t("campaign_keys")} ck ON ck.campaign = p.campaign_id
                WHERE p.finished_at >= %s AND p.finished_at < %s) l {profile}
            WHERE l.position = 1
            GROUP BY l.key_id, pr.population_id, {REGION}, l.area, l.level""",  # noqa: S608
            [finished(start), finished(end)],
        )
        return [(*keys[row[0]], *row[1:]) for row in rows]

    def campaign_keys(self) -> dict[int, tuple]:
        """Fill the temporary table (campaign, key id) with the scope keys a result shared in
        each campaign counts in — national, its institution's type, its institution and its
        award when attached; returns the keys by id."""
        award_of = dict(
            AwardCampaign.objects.using(self.using).values_list("campaign_id", "award_id")
        )
        ids: dict[tuple, int] = {}
        rows = []
        for campaign, place, kind in Campaign.objects.using(self.using).values_list(
            "pk", "organisation_id", "organisation__type"
        ):
            keys = [
                (Scope.ALL.value, "", None, None),
                (Scope.TYPE.value, kind, None, None),
                (Scope.ORGANISATION.value, kind, place, None),
            ]
            if campaign in award_of:
                keys.append((Scope.AWARD.value, "", None, award_of[campaign]))
            rows += [(campaign, ids.setdefault(key, len(ids))) for key in keys]
        name = self.name("campaign_keys")
        self.execute(f"DROP TABLE IF EXISTS {name}")
        self.execute(f"CREATE TEMPORARY TABLE {name} (campaign bigint, key_id integer)")
        self.created.append(name)
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {name} VALUES (%s, %s)", rows)  # noqa: S608
        if self.connection.vendor == "postgresql":
            self.execute(f"ANALYZE {name}")
        return {number: key for key, number in ids.items()}


def award_sources(year: int) -> QuerySet:
    """(learner, programme): participants of the award's campaigns, learners who completed one
    of its modules during the year, candidates of its sessions held during the year."""
    start, end = indicators.moments(year)
    campaigns = (
        indicators.memberships(year)
        .filter(campaign__award_link__isnull=False)
        .order_by()
        .values(learner=F("user_id"), programme=F("campaign__award_link__award_id"))
    )
    modules = (
        AwardModule.objects.filter(
            module__plan_entries__progress=PlanEntry.Progress.COMPLETED,
            module__plan_entries__completed_at__gte=start,
            module__plan_entries__completed_at__lt=end,
        )
        .order_by()
        .values(learner=F("module__plan_entries__user_id"), programme=F("award_id"))
    )
    sessions = (
        indicators.sat_sessions(year)
        .filter(session__award_link__isnull=False)
        .order_by()
        .values(learner=F("user_id"), programme=F("session__award_link__award_id"))
    )
    return campaigns.union(modules, sessions)  # UNION: each (learner, programme) once


def route_entries(entries: QuerySet[PlanEntry]) -> QuerySet:
    """Each entry's learner, module, hours (hundredths), status and population key."""
    return entries.order_by().values(
        learner=F("user_id"),
        unit=F("module_id"),
        cents=Cast(Round(F("module__hours") * 100), BigIntegerField()),
        learner_status=Coalesce(F("user__profile__status"), Value("")),
        population_key=Coalesce(
            F("user__profile__population_id"), Value(0), output_field=BigIntegerField()
        ),
    )
