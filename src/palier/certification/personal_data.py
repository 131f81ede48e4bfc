"""The certification part of a user's personal data: export and erasure, registered into
accounts' registry of personal-data providers."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.certification.models import (
    Alert,
    Candidate,
    Centre,
    Certificate,
    Incident,
    JuryDecision,
    Session,
)

ERASED_REASON = "Compte supprimé à la demande du titulaire."


def export_candidacies(user: User) -> list[dict[str, Any]]:
    """The user's candidacies: session, status, alerts they raised, incidents about them,
    the jury's decisions and their certificate."""
    candidates = Candidate.objects.filter(user=user).select_related("session__centre__organisation")
    rows = []
    for candidate in candidates:
        certificate = Certificate.objects.filter(candidate=candidate).first()
        rows.append(
            {
                "centre": str(candidate.session.centre),
                "session_date": isoformat(candidate.session.date),
                "status": candidate.status,
                "extra_time_percent": candidate.extra_time_percent,
                "screen_reader": candidate.screen_reader,
                "override_reason": candidate.override_reason,
                "arrived_at": isoformat(candidate.arrived_at),
                "deadline": isoformat(candidate.deadline),
                "published_at": isoformat(candidate.published_at),
                "alerts": [
                    {"position": a.position, "comment": a.comment, "status": a.status}
                    for a in candidate.alerts.all()
                ],
                "incidents": [
                    {"category": i.category, "comment": i.comment, "at": isoformat(i.created_at)}
                    for i in candidate.incidents.all()
                ],
                "decisions": [
                    {"outcome": d.outcome, "levels": d.levels, "at": isoformat(d.decided_at)}
                    for d in candidate.decisions.all()
                ],
                "shared_with": [
                    {
                        "organisation": share.organisation.name,
                        "shared_at": isoformat(share.shared_at),
                        "stopped_at": isoformat(share.stopped_at),
                    }
                    for share in candidate.shares.select_related("organisation")
                ],
                "certificate": {
                    "code": certificate.code,
                    "levels": certificate.levels,
                    "issued_at": isoformat(certificate.issued_at),
                    "revoked_at": isoformat(certificate.revoked_at),
                }
                if certificate
                else None,
            }
        )
    return rows


def export_certification_staff(user: User) -> dict[str, Any]:
    """What the user did as centre staff or invigilator (counts and dates, not the
    candidates' data)."""
    sessions = Session.objects.filter(
        Q(created_by=user) | Q(finalised_by=user) | Q(invigilators=user)
    ).distinct()
    return {
        "sessions": [
            {"centre": str(s.centre), "date": isoformat(s.date), "room": s.room} for s in sessions
        ],
        "incidents_written": Incident.objects.filter(created_by=user).count(),
        "alerts_handled": Alert.objects.filter(handled_by=user).count(),
        "decisions_made": JuryDecision.objects.filter(decided_by=user).count(),
        "certificates_revoked": Certificate.objects.filter(revoked_by=user).count(),
        "centres_granted": Centre.objects.filter(granted_by=user).count(),
        "candidacies_overridden": Candidate.objects.filter(override_by=user).count(),
        "candidates_ended": Candidate.objects.filter(ended_by=user).count(),
    }


@transaction.atomic
def erase_certificates(user: User) -> None:
    """Certificates lose the holder's name and are revoked (their page then answers "not
    found", their credential's status says revoked); decisions stay, pseudonymous."""
    for certificate in Certificate.objects.filter(candidate__user=user):
        certificate.holder_name = ""
        if certificate.revoked_at is None:
            certificate.revoked_at = timezone.now()
            certificate.revocation_reason = ERASED_REASON
        certificate.save()


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "certification",
        export=export_candidacies,
        erase=erase_certificates,
        models=(
            "certification.Candidate",
            "certification.Certificate",
            "certification.ResultShare",
        ),
    )
    personal_data.register(
        "certification_staff",
        export=export_certification_staff,
        models=(
            "certification.Session",
            "certification.Incident",
            "certification.Alert",
            "certification.JuryDecision",
            "certification.Centre",
        ),
    )
