"""Reads for a certification centre's staff pages and API: its sessions, a session's
candidates and their results (the latest jury decision of each, and the certificate)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from palier.certification.models import Candidate, Centre, Certificate, JuryDecision, Session
from palier.frameworks.models import Area

UPCOMING_STATUSES = (Session.Status.SCHEDULED, Session.Status.OPEN)


def centre_sessions(centre: Centre) -> QuerySet[Session]:
    """The centre's sessions with their number of candidates, latest first."""
    return (
        Session.objects.filter(centre=centre)
        .annotate(candidate_count=Count("candidates"))
        .order_by("-date", "-start_time", "-pk")
    )


def split_sessions(sessions: list[Session]) -> tuple[list[Session], list[Session]]:
    """(upcoming, past): scheduled or open sessions from today on, soonest first; then the
    others, latest first."""
    today = timezone.localdate()
    upcoming, past = [], []
    for session in sessions:
        coming = session.status in UPCOMING_STATUSES and session.date >= today
        (upcoming if coming else past).append(session)
    return upcoming[::-1], past


def session_candidates(session: Session) -> QuerySet[Candidate]:
    """A session's candidates with their account, in the attendance sheet's order."""
    return Candidate.objects.filter(session=session).select_related("user", "override_by")


@dataclass(frozen=True)
class CandidateResult:
    candidate: Candidate
    decision: JuryDecision | None  # the latest, in force; None before the end of the test
    certificate: Certificate | None

    def level(self, area_code: str) -> dict | None:
        """{"level", "probability"} of an area in the decision in force (None if absent)."""
        if self.decision is None:
            return None
        value = self.decision.levels.get(area_code)
        return value if isinstance(value, dict) else None


def session_results(session: Session) -> list[CandidateResult]:
    """Each candidate with the jury decision in force and the certificate (two queries)."""
    candidates = (
        session_candidates(session)
        .select_related("certificate")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=JuryDecision.objects.order_by("decided_at", "pk"),
                to_attr="decision_list",
            )
        )
    )
    results = []
    for candidate in candidates:
        decisions = candidate.decision_list  # type: ignore[attr-defined]
        certificate = getattr(candidate, "certificate", None)
        results.append(
            CandidateResult(candidate, decisions[-1] if decisions else None, certificate)
        )
    return results


def session_areas(session: Session) -> list[Area]:
    return list(Area.objects.filter(framework=session.framework).order_by("number"))
