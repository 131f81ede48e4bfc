"""Reads for the staff pages about people: a campaign's participants (one page at a time,
with the expected learners who have not joined) and one participant.

Results come from what the learner shared only: SharedLevel and SharedCompetence rows for
the list, the frozen snapshot for the detail. A fixed number of queries per page.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.db.models.functions import Lower

from palier.campaigns.models import (
    Campaign,
    ExpectedLearner,
    Participation,
    SharedCompetence,
    SharedLevel,
)
from palier.campaigns.queries import campaign_areas, campaign_competences
from palier.frameworks.models import Area, Competence, Population

PARTICIPANTS_PER_PAGE = 50
EXPECTED_PER_PAGE = 50
Status = Participation.Status


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
    campaign: Campaign, *, status: str = "", page: Any = 1, expected_page: Any = 1
) -> ParticipantsPage:
    """One page of participants (with levels and competence signals only for those who
    shared), and the expected learners who have not joined (e-mails matched without case).
    A fixed number of queries; pages out of range fall back to the nearest one."""
    participations = (
        Participation.objects.filter(campaign=campaign)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
    if status:
        participations = participations.filter(status=status)
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
        expected.annotate(email_lower=Lower("email"))
        .exclude(email_lower__in=_joined_emails(campaign))
        .select_related("population")
        .order_by("last_name", "first_name", "email")
    )
    not_joined_page = Paginator(not_joined, EXPECTED_PER_PAGE).get_page(expected_page)
    expected_count = expected.count()
    return ParticipantsPage(
        areas=areas,
        competences=competences,
        page=current,
        rows=rows,
        expected=expected_count,
        expected_joined=expected_count - not_joined_page.paginator.count,
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
class ParticipantDetail:
    participation: Participation
    shared: bool
    areas: list[SnapshotArea]
    signals: list[SnapshotSignal]
    population: str
    snapshot: dict[str, Any]


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
