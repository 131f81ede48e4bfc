"""Reads for a campaign's staff dashboard, and the value types every staff page shares
(participant_queries and overview_queries hold the other pages' reads).

Every aggregate is computed in SQL (grouped counts and sums) so the number of queries does
not depend on the number of participants; the tests pin it. Results come only from what
learners shared (SharedLevel, SharedCompetence, the frozen snapshot), never from attempts.
Averages and shares computed from fewer than PRIVACY_THRESHOLD learners are hidden. Every
read takes an optional group of learners (campaigns.groups): the dashboard then counts and
averages that group's members only, with the same threshold.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, Exists, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import TruncWeek
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.accounts.queries import MIN_GROUP_SIZE
from palier.campaigns.groups import scoped
from palier.campaigns.models import (
    Campaign,
    ExpectedLearner,
    LearnerGroup,
    Participation,
    SharedCompetence,
    SharedLevel,
    SharingStop,
)
from palier.frameworks.models import Area, Competence, Population
from palier.frameworks.queries import population_targets
from palier.training.queries import plan_totals_per_area

# An average, a share or a plan total computed from fewer learners than this is not shown
# ("moins de 5"): with so few learners it would point at individuals. The same rule as the
# steering page's smallest group.
PRIVACY_THRESHOLD = MIN_GROUP_SIZE
# Shades of the gap heat map: white under 10 %, then one darker shade per 10 %, up to 40 %+.
HEAT_BANDS = 5
HEAT_STEP_PERCENT = 10

Status = Participation.Status
# The funnel counts the learners who reached each stage at least (status only moves forward).
REACHED = {
    "joined": [Status.JOINED, Status.STARTED, Status.FINISHED, Status.SHARED],
    "started": [Status.STARTED, Status.FINISHED, Status.SHARED],
    "finished": [Status.FINISHED, Status.SHARED],
    "shared": [Status.SHARED],
}
STAGE_TIMESTAMPS = {
    "joined": "joined_at",
    "started": "started_at",
    "finished": "finished_at",
    "shared": "shared_at",
}
STAGE_LABELS = {
    "expected": gettext_lazy("Attendus"),
    "joined": gettext_lazy("Inscrits"),
    "started": gettext_lazy("Test commencé"),
    "finished": gettext_lazy("Test fini"),
    "shared": gettext_lazy("Résultat partagé"),
}
# Heat map and breakdown dimensions: the participation field each groups by.
DIMENSIONS = {"population": "population_code", "year": "year_of_study"}


# --- small value types ------------------------------------------------------------------


@dataclass(frozen=True)
class Mean:
    """An average over `learners`; `value` is None when there is no data or when it is
    hidden (fewer than PRIVACY_THRESHOLD learners), so a hidden value never reaches a page."""

    value: float | None
    learners: int

    @classmethod
    def of(cls, total: float, learners: int) -> Mean:
        if learners < PRIVACY_THRESHOLD:
            return cls(None, learners)
        return cls(total / learners, learners)

    @property
    def hidden(self) -> bool:
        return 0 < self.learners < PRIVACY_THRESHOLD


@dataclass(frozen=True)
class Share:
    """`count` learners out of `learners` (hidden under the threshold, like Mean)."""

    count: int | None
    learners: int

    @classmethod
    def of(cls, count: int, learners: int) -> Share:
        return cls(None if learners < PRIVACY_THRESHOLD else count, learners)

    @property
    def hidden(self) -> bool:
        return 0 < self.learners < PRIVACY_THRESHOLD

    @property
    def percent(self) -> int | None:
        if self.count is None or not self.learners:
            return None
        return round(100 * self.count / self.learners)

    @property
    def band(self) -> int:
        """The heat map's shade, 0 to HEAT_BANDS - 1, one step per HEAT_STEP_PERCENT (the
        cell's text gives the value; the shade only repeats it)."""
        percent = self.percent
        return 0 if percent is None else min(HEAT_BANDS - 1, percent // HEAT_STEP_PERCENT)


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def participations_of(user: Any) -> QuerySet[Participation]:
    """A learner's own participations, newest first, with their campaign and organisation."""
    return (
        Participation.objects.filter(user=user)
        .select_related("campaign__organisation")
        .order_by("-joined_at")
    )


# --- campaign dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class FunnelStage:
    key: str
    count: int
    percent: int  # of the largest stage, for the bar's length

    @property
    def label(self) -> str:
        return str(STAGE_LABELS[self.key])


@dataclass(frozen=True)
class Funnel:
    expected: int
    joined: int
    started: int
    finished: int
    shared: int

    @property
    def stages(self) -> list[FunnelStage]:
        counts = {
            "expected": self.expected,
            "joined": self.joined,
            "started": self.started,
            "finished": self.finished,
            "shared": self.shared,
        }
        largest = max(counts.values())
        return [FunnelStage(key, n, _percent(n, largest)) for key, n in counts.items()]


@dataclass(frozen=True)
class Week:
    """Cumulative counts at the end of the week starting `start` (a Monday)."""

    start: date
    joined: int
    started: int
    finished: int
    shared: int


@dataclass(frozen=True)
class LevelCount:
    rank: int
    count: int
    percent: int  # of the area's learners


@dataclass(frozen=True)
class AreaLevels:
    area: Area
    learners: int
    levels: list[LevelCount]
    mean: Mean
    target: float | None  # mean target of the learners, or the campaign's target profile

    @property
    def gap(self) -> float | None:
        if self.mean.value is None or self.target is None:
            return None
        return self.mean.value - self.target


@dataclass(frozen=True)
class GroupRow:
    """One population or year of study: shared learners and mean level per area."""

    key: str
    label: str
    learners: int
    means: list[Mean]


@dataclass(frozen=True)
class HeatRow:
    competence: Competence
    cells: list[Share]


@dataclass(frozen=True)
class HeatMap:
    dimension: str
    columns: list[GroupRow]
    rows: list[HeatRow]


@dataclass(frozen=True)
class PlanArea:
    area: Area
    learners: int
    planned: Decimal | None  # None when hidden
    done: Decimal | None
    modules_completed: int | None

    @property
    def hidden(self) -> bool:
        return 0 < self.learners < PRIVACY_THRESHOLD


@dataclass(frozen=True)
class PlanAggregates:
    learners: int  # participants who share their plan (and did not stop sharing)
    areas: list[PlanArea]

    @property
    def hidden(self) -> bool:
        return 0 < self.learners < PRIVACY_THRESHOLD


@dataclass(frozen=True)
class Dashboard:
    campaign: Campaign
    areas: list[Area]
    level_ranks: list[int]
    funnel: Funnel
    weeks: list[Week]
    levels: list[AreaLevels]
    populations: list[GroupRow]
    years: list[GroupRow]
    heat_map: HeatMap
    plans: PlanAggregates
    group: LearnerGroup | None = None


def campaign_areas(campaign: Campaign) -> list[Area]:
    """The campaign's areas in framework order, each with `level_count` (one query)."""
    return list(
        Area.objects.filter(framework_id=campaign.framework_id, code__in=campaign.areas)
        .annotate(level_count=Count("levels"))
        .order_by("number")
    )


def campaign_competences(campaign: Campaign) -> list[Competence]:
    return list(
        Competence.objects.filter(
            area__framework_id=campaign.framework_id, area__code__in=campaign.areas
        )
        .select_related("area")
        .order_by("area__number", "position", "code")
    )


def funnel(campaign: Campaign, group: LearnerGroup | None = None) -> Funnel:
    counts = scoped(Participation.objects.filter(campaign=campaign), group).aggregate(
        **{stage: Count("id", filter=Q(status__in=statuses)) for stage, statuses in REACHED.items()}
    )
    expected = scoped(ExpectedLearner.objects.filter(campaign=campaign), group, "email").count()
    return Funnel(expected=expected, **counts)


def funnel_weeks(campaign: Campaign, group: LearnerGroup | None = None) -> list[Week]:
    """Cumulative funnel counts per week, from the participations' timestamps, every week
    from the first to the last with an event (one query: a union of four weekly counts)."""
    participations = scoped(Participation.objects.filter(campaign=campaign), group).order_by()
    weekly = [
        participations.filter(**{f"{column}__isnull": False})
        .annotate(week=TruncWeek(column, output_field=DateField()), stage=Value(stage))
        .values("stage", "week")
        .annotate(count=Count("id"))
        .values_list("stage", "week", "count")
        for stage, column in STAGE_TIMESTAMPS.items()
    ]
    new: dict[str, dict[date, int]] = {stage: {} for stage in STAGE_TIMESTAMPS}
    for stage, week, count in weekly[0].union(*weekly[1:], all=True):
        new[stage][week] = count
    weeks = sorted({week for by_week in new.values() for week in by_week})
    if not weeks:
        return []
    totals = dict.fromkeys(STAGE_TIMESTAMPS, 0)
    rows = []
    start = weeks[0]
    while start <= weeks[-1]:
        for stage in totals:
            totals[stage] += new[stage].get(start, 0)
        rows.append(Week(start, **totals))
        start += timedelta(days=7)
    return rows


def _target_profile(campaign: Campaign) -> dict[str, int]:
    return population_targets(campaign.framework_id, campaign.target_population_id)


def level_distribution(
    campaign: Campaign, areas: list[Area], group: LearnerGroup | None = None
) -> tuple[list[int], list[AreaLevels]]:
    """Learners per level in each area, the mean level and the target it compares to: the
    mean of the learners' own targets (frozen in their snapshots), or the campaign's target
    profile when the snapshots carry none. Two queries."""
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    target_sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        scoped(
            SharedLevel.objects.filter(participation__campaign=campaign),
            group,
            "participation__user__email",
        )
        .values("area", "level")
        .annotate(count=Count("id"), targets=Count("target"), target_total=Sum("target"))
    ):
        counts[row["area"]][row["level"]] = row["count"]
        target_sums[row["area"]][0] += row["target_total"] or 0
        target_sums[row["area"]][1] += row["targets"]
    profile = _target_profile(campaign)
    top = max(
        [area.level_count for area in areas] + [lv for c in counts.values() for lv in c] + [1]
    )
    ranks = list(range(1, top + 1))
    result = []
    for area in areas:
        by_level = counts.get(area.code, {})
        learners = sum(by_level.values())
        total, with_target = target_sums[area.code]
        target = total / with_target if with_target else profile.get(area.code)
        result.append(
            AreaLevels(
                area=area,
                learners=learners,
                levels=[
                    LevelCount(
                        rank, by_level.get(rank, 0), _percent(by_level.get(rank, 0), learners)
                    )
                    for rank in ranks
                ],
                mean=Mean.of(sum(rank * n for rank, n in by_level.items()), learners),
                target=None if target is None else float(target),
            )
        )
    return ranks, result


def _population_titles(campaign: Campaign) -> dict[str, str]:
    codes = Participation.objects.filter(campaign=campaign).values("population_code")
    return {
        population.code: population.title
        for population in Population.objects.filter(code__in=codes).only(
            "code", "title_fr", "title_en"
        )
    }


def year_label(year: int | None) -> str:
    if year is None:
        return _("Année non renseignée")
    if year == 1:
        return _("1re année")
    return _("%(year)se année") % {"year": year}


def breakdowns(
    campaign: Campaign, areas: list[Area], group: LearnerGroup | None = None
) -> tuple[list[GroupRow], list[GroupRow]]:
    """Shared learners and mean level per area, by population and by year of study. Three
    queries: counts and level sums are grouped by (population, year) once, then merged."""
    learners: dict[tuple[str, int | None], int] = dict(
        (((row["population_code"], row["year_of_study"]), row["count"]))
        for row in scoped(
            Participation.objects.filter(campaign=campaign, status=Status.SHARED), group
        )
        .values("population_code", "year_of_study")
        .annotate(count=Count("id"))
        .order_by()
    )
    sums: dict[tuple[str, int | None, str], list[int]] = {}
    for row in (
        scoped(
            SharedLevel.objects.filter(participation__campaign=campaign),
            group,
            "participation__user__email",
        )
        .values("participation__population_code", "participation__year_of_study", "area")
        .annotate(count=Count("id"), total=Sum("level"))
        .order_by()
    ):
        key = (
            row["participation__population_code"],
            row["participation__year_of_study"],
            row["area"],
        )
        sums[key] = [row["total"], row["count"]]
    titles = _population_titles(campaign)

    def rows(position: int, label: Any) -> list[GroupRow]:
        groups: dict[Any, int] = defaultdict(int)
        area_sums: dict[tuple[Any, str], list[int]] = defaultdict(lambda: [0, 0])
        for key, count in learners.items():
            groups[key[position]] += count
        for (population, year, area), (total, count) in sums.items():
            group = (population, year)[position]
            area_sums[group, area][0] += total
            area_sums[group, area][1] += count
        ordered = sorted(groups, key=lambda g: (g is None or g == "", str(label(g)).lower()))
        return [
            GroupRow(
                key="" if group is None else str(group),
                label=label(group),
                learners=groups[group],
                means=[Mean.of(*area_sums[group, area.code]) for area in areas],
            )
            for group in ordered
        ]

    by_population = rows(0, lambda code: titles.get(code) or code or _("Public non renseigné"))
    by_year = rows(1, year_label)
    return by_population, by_year


def gap_heat_map(
    campaign: Campaign,
    dimension: str,
    columns: list[GroupRow],
    competences: list[Competence],
    group: LearnerGroup | None = None,
) -> HeatMap:
    """Share of the shared learners of each column (population or year of study) for whom
    each competence is a gap. One query."""
    column = f"participation__{DIMENSIONS[dimension]}"
    gaps: dict[tuple[str, str], int] = {}
    for row in (
        scoped(
            SharedCompetence.objects.filter(participation__campaign=campaign, kind="gap"),
            group,
            "participation__user__email",
        )
        .values("competence", column)
        .annotate(count=Count("id"))
        .order_by()
    ):
        group = row[column]
        gaps[row["competence"], "" if group is None else str(group)] = row["count"]
    return HeatMap(
        dimension=dimension,
        columns=columns,
        rows=[
            HeatRow(
                competence,
                [
                    Share.of(gaps.get((competence.code, group.key), 0), group.learners)
                    for group in columns
                ],
            )
            for competence in competences
        ],
    )


def plan_sharers(campaign: Campaign) -> QuerySet[Participation]:
    """Participants whose learning plan the organisation may see: they shared it with this
    campaign and have not stopped sharing with the organisation."""
    stopped = SharingStop.objects.filter(
        user_id=OuterRef("user_id"), organisation_id=campaign.organisation_id
    )
    return Participation.objects.filter(campaign=campaign, plan_shared=True).exclude(
        Exists(stopped)
    )


def plan_aggregates(
    campaign: Campaign, areas: list[Area], group: LearnerGroup | None = None
) -> PlanAggregates:
    """The shared plans summed per area (four queries). An area to which fewer than
    PRIVACY_THRESHOLD learners contribute is hidden, and so is everything when fewer
    learners share their plan."""
    sharers = scoped(plan_sharers(campaign), group)
    learners = sharers.count()
    totals = plan_totals_per_area(sharers.values("user_id"))
    rows = []
    for area in areas:
        area_totals = totals.get(area.code)
        if area_totals is None:
            rows.append(PlanArea(area, 0, Decimal(0), Decimal(0), 0))
        elif learners < PRIVACY_THRESHOLD or area_totals.learners < PRIVACY_THRESHOLD:
            rows.append(PlanArea(area, area_totals.learners, None, None, None))
        else:
            rows.append(
                PlanArea(
                    area,
                    area_totals.learners,
                    area_totals.planned,
                    area_totals.done,
                    area_totals.modules_completed,
                )
            )
    return PlanAggregates(learners=learners, areas=rows)


def campaign_dashboard(
    campaign: Campaign, dimension: str = "population", group: LearnerGroup | None = None
) -> Dashboard:
    """Everything the campaign dashboard shows, for every participant or for the members of
    `group`, in a fixed number of queries."""
    areas = campaign_areas(campaign)
    ranks, levels = level_distribution(campaign, areas, group)
    populations, years = breakdowns(campaign, areas, group)
    columns = populations if dimension == "population" else years
    counts = funnel(campaign, group)
    return Dashboard(
        campaign=campaign,
        areas=areas,
        level_ranks=ranks,
        funnel=counts,
        weeks=funnel_weeks(campaign, group),
        levels=levels,
        populations=populations,
        years=years,
        heat_map=gap_heat_map(campaign, dimension, columns, campaign_competences(campaign), group),
        plans=plan_aggregates(campaign, areas, group),
        group=group,
    )
