"""Reads of certification for pages, documents and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.certification.jury import latest_decision
from palier.certification.models import Candidate, Certificate, JuryDecision, ResultShare
from palier.frameworks.models import Area, Level
from palier.organisations.models import Organisation


@dataclass(frozen=True)
class CertifiedArea:
    """One area of a decision or certificate: the certified level of its scale (None: no
    level certified) and P(level >= that level), the probability the rule used."""

    area: Area
    level: Level | None
    level_count: int
    probability: float | None

    @property
    def level_text(self) -> str:
        if self.level is None:
            return _("Aucun niveau certifié")
        return _("Niveau %(rank)s sur %(count)s — %(label)s") % {
            "rank": self.level.rank,
            "count": self.level_count,
            "label": self.level.label,
        }


def certified_areas(framework_id: int, levels: dict[str, dict]) -> list[CertifiedArea]:
    """Every area of the framework, in order, with what `levels` (a decision's or a
    certificate's: {area code: {"level": rank or null, "probability"}}) certifies in it
    (two queries)."""
    rows = []
    for area in (
        Area.objects.filter(framework_id=framework_id).prefetch_related("levels").order_by("number")
    ):
        scale = {level.rank: level for level in area.levels.all()}
        entry = levels.get(area.code) or {}
        level = scale.get(entry.get("level"))
        probability = entry.get("probability") if level is not None else None
        rows.append(CertifiedArea(area, level, len(scale), probability))
    return rows


def certificate_areas(certificate: Certificate) -> list[CertifiedArea]:
    """The areas of a certificate with its frozen levels."""
    return certified_areas(certificate.candidate.session.framework_id, certificate.levels)


def candidacies_of(user: User) -> QuerySet[Candidate]:
    """The user's candidacies, the latest sessions first."""
    return (
        Candidate.objects.filter(user=user)
        .select_related("session__centre__organisation", "session__framework")
        .order_by("-session__date", "-session__start_time")
    )


def published_decision(candidate: Candidate) -> JuryDecision | None:
    """The decision a candidate sees: the latest one, once published."""
    if candidate.published_at is None:
        return None
    return latest_decision(candidate)


@dataclass(frozen=True)
class SharedResult:
    """A certified result a learner shares with an organisation: who, when, the decision
    and the certificate (frozen levels) with its areas."""

    name: str
    shared_at: datetime
    session_date: date
    outcome: str
    certificate: Certificate | None
    areas: list[CertifiedArea]


def shared_results(organisation: Organisation) -> list[SharedResult]:
    """The published certification results shared with `organisation` and not stopped,
    the latest first."""
    shares = (
        ResultShare.objects.filter(
            organisation=organisation,
            stopped_at__isnull=True,
            candidate__published_at__isnull=False,
        )
        .select_related("candidate__user", "candidate__session", "candidate__certificate")
        .order_by("-shared_at")
    )
    rows = []
    for share in shares:
        candidate = share.candidate
        decision = latest_decision(candidate)
        certificate = getattr(candidate, "certificate", None)
        levels = certificate.levels if certificate else (decision.levels if decision else {})
        rows.append(
            SharedResult(
                name=candidate.user.get_full_name() or candidate.user.email,
                shared_at=share.shared_at,
                session_date=candidate.session.date,
                outcome=decision.get_outcome_display() if decision else "",
                certificate=certificate,
                areas=certified_areas(candidate.session.framework_id, levels),
            )
        )
    return rows
