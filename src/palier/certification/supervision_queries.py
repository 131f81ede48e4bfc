"""Reads of the supervision and jury pages (no writes here).

The live list is polled every few seconds by each invigilator: it reads the session's
candidates and its open alerts in two queries, whatever the number of candidates.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from palier.certification import jury, jury_services, services
from palier.certification.models import Alert, Candidate, JuryDecision, Session
from palier.core.i18n import localized
from palier.frameworks.models import Area, Level

Status = Candidate.Status
OVER = (Status.FINISHED, Status.ENDED)


def display_name(candidate: Candidate) -> str:
    user = candidate.user
    return user.get_full_name() or user.email


@dataclass(frozen=True)
class LiveCandidate:
    """One candidate as the invigilator sees them, with the actions open to them now."""

    candidate: Candidate
    name: str
    answered: int | None
    seconds_left: int | None

    @property
    def minutes_left(self) -> int | None:
        return None if self.seconds_left is None else -(-self.seconds_left // 60)

    @property
    def can_authorise(self) -> bool:
        return self.candidate.status == Status.PRESENT or (
            self.candidate.awaiting_authorisation and self.candidate.status not in OVER
        )

    @property
    def can_end(self) -> bool:
        return self.candidate.status in (Status.AUTHORISED, Status.IN_PROGRESS)

    @property
    def can_release(self) -> bool:
        return bool(self.candidate.device_token) and self.candidate.status not in OVER


@dataclass
class LiveList:
    session: Session
    candidates: list[LiveCandidate]
    alerts: list[Alert]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def alert_ids(self) -> str:
        return " ".join(str(alert.pk) for alert in self.alerts)


def live_list(session: Session) -> LiveList:
    """The session's candidates (by name) and open alerts (oldest first), with counts."""
    candidates = list(
        Candidate.objects.filter(session=session)
        .select_related("user", "attempt")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = []
    for candidate in candidates:
        answered = seconds = None
        if candidate.status == Status.IN_PROGRESS and candidate.attempt is not None:
            # Withdrawn questions are replaced at the same position: this is the count.
            answered = candidate.attempt.current_position - 1
            seconds = services.time_left(candidate)
        rows.append(LiveCandidate(candidate, display_name(candidate), answered, seconds))
    alerts = list(
        Alert.objects.filter(candidate__session=session, status=Alert.Status.OPEN)
        .select_related("candidate__user")
        .order_by("raised_at", "pk")
    )
    statuses = [candidate.status for candidate in candidates]
    counts = {
        "enrolled": len(statuses),
        "arrived": sum(1 for status in statuses if status not in (Status.EXPECTED, Status.ABSENT)),
        "in_progress": statuses.count(Status.IN_PROGRESS),
        "over": sum(1 for status in statuses if status in OVER),
        "alerts": len(alerts),
    }
    return LiveList(session, rows, alerts, counts)


# --- Jury -----------------------------------------------------------------------------


def reason_text(code: str) -> str:
    """A jury reason code in words (the code itself when it is unknown)."""
    count = {"count": jury.MIN_ANSWERS}
    if code == "fraud_suspicion":
        return _("Une suspicion de fraude a été notée : le résultat est à examiner.")
    if code == "short_test_technical_incident":
        return (
            _(
                "Moins de %(count)s réponses, avec un incident technique noté : "
                "le résultat est à examiner."
            )
            % count
        )
    if code == "too_few_answers":
        return _("Moins de %(count)s réponses : le résultat est rejeté.") % count
    if code == "review":
        return _("Décision prise après examen du résultat.")
    return code


@dataclass(frozen=True)
class AreaLevel:
    code: str
    title: str
    level: int | None
    label: str
    probability: float | None

    @property
    def percent(self) -> int | None:
        return None if self.probability is None else int(self.probability * 100)


@dataclass
class JuryRow:
    candidate: Candidate
    name: str
    decision: JuryDecision | None
    reasons: list[str]
    levels: list[AreaLevel]
    answered: int
    incidents: list
    # The reviewers' forms of this row, set by the page (prefixed by the candidate's id).
    review_form: object = None
    revoke_form: object = None

    @property
    def to_review(self) -> bool:
        return self.decision is not None and self.decision.outcome == JuryDecision.Outcome.TO_REVIEW

    @property
    def certificate(self):
        return getattr(self.candidate, "certificate", None)


@dataclass
class JuryBoard:
    session: Session
    rows: list[JuryRow]

    @property
    def to_review_count(self) -> int:
        return sum(1 for row in self.rows if row.to_review and row.candidate.published_at is None)

    @property
    def publishable_count(self) -> int:
        return sum(
            1
            for row in self.rows
            if row.candidate.published_at is None
            and row.decision is not None
            and row.decision.outcome in jury_services.FINAL_OUTCOMES
        )


def _area_levels(levels: dict, areas: list[Area], labels: dict) -> list[AreaLevel]:
    rows = []
    for area in areas:
        certified = levels.get(area.code) or {}
        level = certified.get("level")
        rows.append(
            AreaLevel(
                code=area.code,
                title=area.title,
                level=level,
                label=labels.get((area.code, level), "") if level else "",
                probability=certified.get("probability"),
            )
        )
    return rows


def jury_board(session: Session) -> JuryBoard:
    """Per candidate who sat the test: the decision in force, its reasons in words, the
    certified level per area, the answers counted and the incidents noted about them."""
    areas = list(Area.objects.filter(framework_id=session.framework_id).order_by("number"))
    labels = {
        (level.area.code, level.rank): localized(level, "label")
        for level in Level.objects.filter(area__framework_id=session.framework_id).select_related(
            "area"
        )
    }
    candidates = (
        Candidate.objects.filter(session=session)
        .exclude(attempt__isnull=True)
        .select_related("user", "certificate")
        .annotate(answered=Count("attempt__responses", filter=Q(attempt__responses__pretest=False)))
        .prefetch_related(
            Prefetch("decisions", queryset=JuryDecision.objects.order_by("-decided_at", "-pk")),
            "incidents",
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )
    rows = []
    for candidate in candidates:
        decisions = list(candidate.decisions.all())
        decision = decisions[0] if decisions else None
        rows.append(
            JuryRow(
                candidate=candidate,
                name=display_name(candidate),
                decision=decision,
                reasons=[reason_text(code) for code in decision.reasons] if decision else [],
                levels=_area_levels(decision.levels, areas, labels) if decision else [],
                answered=candidate.answered,
                incidents=list(candidate.incidents.all()),
            )
        )
    return JuryBoard(session, rows)
