"""Reads for the staff pages about people: a campaign's participants (one page at a time,
searched and filtered, with the expected learners who have not joined) and one participant
(their shared result, their shared plan, their other campaigns of the same organisation).

Results come from what the learner shared only: SharedLevel and SharedCompetence rows for
the list, the frozen snapshot for the detail. A fixed number of queries per page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from palier.campaigns.groups import scoped
from palier.campaigns.models import (
    Campaign,
    ExpectedLearner,
    LearnerGroup,
    Participation,
    SharedCompetence,
    SharedLevel,
)
from palier.campaigns.queries import campaign_areas, campaign_competences, plan_sharers
from palier.frameworks.models import Area, Competence, Population
from palier.training.queries import PlanAreaTotals, plan_totals_per_area

PARTICIPANTS_PER_PAGE = 50
EXPECTED_PER_PAGE = 50
# Words of a search beyond this many are ignored (each word is one more condition).
MAX_SEARCH_WORDS = 5
Status = Participation.Status
# The status filter's value for expected learners who have not joined the campaign.
EXPECTED = "expected"


@dataclass(frozen=True)
class ParticipantFilters:
    """What the participants' list is narrowed to. `population` and `year` match what the
    learner shared or what the imported list says about them; `search` matches each word
    in the name, the e-mail address or the external id."""

    search: str = ""
    status: str = ""  # a Participation status, EXPECTED, or "" for everyone
    population: str = ""  # a population code
    year: int | None = None
    group: LearnerGroup | None = None

    @property
    def words(self) -> list[str]:
        return self.search.split()[:MAX_SEARCH_WORDS]

    @property
    def active(self) -> bool:
        return bool(self.words or self.status or self.population or self.year or self.group)


def _search(queryset: QuerySet, words: list[str], fields: list[str]) -> QuerySet:
    for word in words:
        condition = Q()
        for name in fields:
            condition |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


def _filter_participants(
    campaign: Campaign, participations: QuerySet, filters: ParticipantFilters
) -> QuerySet:
    participations = _search(
        participations,
        filters.words,
        ["user__first_name", "user__last_name", "user__email", "external_id"],
    )
    if filters.status:
        participations = participations.filter(status=filters.status)
    # Population and year: shared by the learner, or given by the organisation's own list.
    listed = (
        ExpectedLearner.objects.filter(campaign=campaign)
        .annotate(email_lower=Lower("email"))
        .filter(email_lower=Lower(OuterRef("user__email")))
    )
    if filters.population:
        participations = participations.filter(
            Q(population_code=filters.population)
            | Exists(listed.filter(population__code=filters.population))
        )
    if filters.year:
        participations = participations.filter(
            Q(year_of_study=filters.year) | Exists(listed.filter(year_of_study=filters.year))
        )
    return scoped(participations, filters.group)


def _filter_expected(expected: QuerySet, filters: ParticipantFilters) -> QuerySet:
    if filters.status and filters.status != EXPECTED:
        return expected.none()
    expected = _search(expected, filters.words, ["first_name", "last_name", "email", "external_id"])
    if filters.population:
        expected = expected.filter(population__code=filters.population)
    if filters.year:
        expected = expected.filter(year_of_study=filters.year)
    return scoped(expected, filters.group, "email")


@dataclass
class ParticipantRow:
    participation: Participation
    levels: list[int | None] = field(default_factory=list)
    signals: list[str] = field(default_factory=list)  # per competence: gap, strength or ""


@dataclass(frozen=True)
class ParticipantsPage:
    areas: list[Area]
    competences: list[Competence]
    page: Page
    rows: list[ParticipantRow]
    expected: int
    expected_joined: int
    not_joined: Page


def _joined_emails(campaign: Campaign) -> QuerySet:
    return (
        Participation.objects.filter(campaign=campaign)
        .annotate(email_lower=Lower("user__email"))
        .values("email_lower")
    )


def participants_page(
    campaign: Campaign,
    filters: ParticipantFilters | None = None,
    *,
    page: Any = 1,
    expected_page: Any = 1,
) -> ParticipantsPage:
    """One page of participants matching `filters` (with levels and competence signals only
    for those who shared), and the expected learners who have not joined and match them too
    (e-mails matched without case). A fixed number of queries; pages out of range fall back
    to the nearest one."""
    filters = filters or ParticipantFilters()
    participations = (
        Participation.objects.filter(campaign=campaign)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
    if filters.status == EXPECTED:
        participations = participations.none()
    else:
        participations = _filter_participants(campaign, participations, filters)
    current = Paginator(participations, PARTICIPANTS_PER_PAGE).get_page(page)
    areas = campaign_areas(campaign)
    competences = campaign_competences(campaign)
    rows = [ParticipantRow(participation) for participation in current.object_list]
    shared_ids = [row.participation.pk for row in rows if row.participation.status == Status.SHARED]
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    for participation_id, area, level in SharedLevel.objects.filter(
        participation_id__in=shared_ids
    ).values_list("participation_id", "area", "level"):
        levels[participation_id][area] = level
    signals: dict[int, dict[str, str]] = defaultdict(dict)
    for participation_id, competence, kind in SharedCompetence.objects.filter(
        participation_id__in=shared_ids
    ).values_list("participation_id", "competence", "kind"):
        signals[participation_id][competence] = kind
    for row in rows:
        pk = row.participation.pk
        if pk in levels or pk in signals:
            row.levels = [levels[pk].get(area.code) for area in areas]
            row.signals = [signals[pk].get(c.code, "") for c in competences]
    expected = ExpectedLearner.objects.filter(campaign=campaign)
    not_joined = (
        _filter_expected(expected, filters)
        .annotate(email_lower=Lower("email"))
        .exclude(email_lower__in=_joined_emails(campaign))
        .select_related("population")
        .order_by("last_name", "first_name", "email")
    )
    not_joined_page = Paginator(not_joined, EXPECTED_PER_PAGE).get_page(expected_page)
    expected_count = expected.count()
    if filters.active:  # the page's count is of the matching learners only
        joined = (
            expected.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=_joined_emails(campaign))
            .count()
        )
    else:
        joined = expected_count - not_joined_page.paginator.count
    return ParticipantsPage(
        areas=areas,
        competences=competences,
        page=current,
        rows=rows,
        expected=expected_count,
        expected_joined=joined,
        not_joined=not_joined_page,
    )


@dataclass(frozen=True)
class SnapshotArea:
    area: Area | None
    code: str
    level: int
    target: int | None
    precision: str

    @property
    def below_target(self) -> bool:
        return self.target is not None and self.level < self.target


@dataclass(frozen=True)
class SnapshotSignal:
    competence: Competence | None
    code: str
    kind: str


@dataclass(frozen=True)
class PlanRow:
    """One area of a participant's shared learning plan."""

    area: Area
    totals: PlanAreaTotals | None  # None: no module of the area in the plan


@dataclass(frozen=True)
class HistoryRow:
    """Another participation of the same learner in the same organisation's campaigns."""

    participation: Participation
    levels: list[SharedLevel]  # as shared, in area order; empty when not shared


@dataclass(frozen=True)
class ParticipantDetail:
    participation: Participation
    shared: bool
    areas: list[SnapshotArea]
    signals: list[SnapshotSignal]
    population: str
    snapshot: dict[str, Any]


def participant_plan(campaign: Campaign, participation: Participation) -> list[PlanRow] | None:
    """The participant's learning plan per area of the campaign (hours planned and done,
    modules completed), or None unless they share it with this campaign and have not stopped
    sharing with the organisation (one gate: queries.plan_sharers)."""
    sharer = plan_sharers(campaign).filter(pk=participation.pk)
    if not sharer.exists():
        return None
    totals = plan_totals_per_area(sharer.values("user_id"))
    return [PlanRow(area, totals.get(area.code)) for area in campaign_areas(campaign)]


def participant_history(campaign: Campaign, participation: Participation) -> list[HistoryRow]:
    """The learner's other participations in campaigns of the same organisation (never
    another organisation's), newest first, with the levels they shared there. Two queries."""
    others = list(
        Participation.objects.filter(
            user_id=participation.user_id,
            campaign__organisation_id=campaign.organisation_id,
        )
        .exclude(pk=participation.pk)
        .select_related("campaign")
        .order_by("-joined_at", "-pk")
    )
    levels: dict[int, list[SharedLevel]] = defaultdict(list)
    for level in SharedLevel.objects.filter(
        participation__in=[other.pk for other in others if other.status == Status.SHARED]
    ).order_by("area"):
        levels[level.participation_id].append(level)
    return [HistoryRow(other, levels.get(other.pk, [])) for other in others]


def participant_detail(campaign: Campaign, participation: Participation) -> ParticipantDetail:
    """A participant as staff see them: status and dates, and, once shared, the frozen
    snapshot (levels against target, competence signals). Nothing else about the learner."""
    snapshot = participation.snapshot if participation.status == Status.SHARED else None
    if not snapshot:
        return ParticipantDetail(participation, False, [], [], "", {})
    areas = {area.code: area for area in campaign_areas(campaign)}
    competences = {c.code: c for c in campaign_competences(campaign)}
    order = {code: index for index, code in enumerate(competences)}
    population = Population.objects.filter(code=snapshot.get("population") or "").first()
    return ParticipantDetail(
        participation=participation,
        shared=True,
        areas=sorted(
            (
                SnapshotArea(
                    areas.get(code),
                    code,
                    value["level"],
                    value.get("target"),
                    value.get("precision", ""),
                )
                for code, value in snapshot.get("areas", {}).items()
            ),
            key=lambda row: (row.area.number if row.area else 99, row.code),
        ),
        signals=sorted(
            (
                SnapshotSignal(competences.get(code), code, kind)
                for code, kind in snapshot.get("competences", {}).items()
            ),
            key=lambda row: (order.get(row.code, len(order)), row.code),
        ),
        population=population.title if population else snapshot.get("population") or "",
        snapshot=snapshot,
    )
