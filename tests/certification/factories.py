"""Certification rows for tests: a bank with an estimated calibration, centres, sessions,
candidates and certificates."""

from __future__ import annotations

import datetime as dt
from itertools import count

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from palier.accounts.models import User
from palier.certification.codes import new_access_code, new_certificate_code
from palier.certification.models import Candidate, Centre, Certificate, JuryDecision, Session
from palier.frameworks.models import Framework
from palier.items.models import Calibration, ItemParameter
from palier.organisations.models import Organisation
from tests.assessments.conftest import seed_bank
from tests.factories import make_organisation, make_user

INVIGILATOR_PASSWORD = "surveillance-salle-12"
_sequence = count(1)


def estimated_bank(framework: Framework) -> Calibration:
    """The seed bank with an active calibration "estimated from responses" (its parameters
    are the provisional ones with discriminations raised to 1.5, marked synthetic), as a
    certification needs."""
    seed_bank(framework)
    provisional = Calibration.objects.get(framework=framework, is_active=True)
    provisional.is_active = False
    provisional.save(update_fields=["is_active"])
    calibration = Calibration.objects.create(
        name="Calibration d'essai",
        framework=framework,
        source=Calibration.Source.ESTIMATED,
        is_active=True,
        synthetic=True,
    )
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=calibration,
            item_version_id=row.item_version_id,
            discrimination=1.5,
            difficulty=row.difficulty,
            guessing=row.guessing,
        )
        for row in ItemParameter.objects.filter(calibration=provisional)
    )
    return calibration


def make_centre(organisation: Organisation | None = None) -> Centre:
    return Centre.objects.create(organisation=organisation or make_organisation("Centre d'examen"))


def make_session(
    centre: Centre,
    framework: Framework,
    *,
    status: str = Session.Status.OPEN,
    date: dt.date | None = None,
    **fields: object,
) -> Session:
    return Session.objects.create(
        centre=centre,
        framework=framework,
        date=date or timezone.localdate(),
        start_time=dt.time(9, 0),
        room=fields.pop("room", f"Salle {next(_sequence)}"),
        address=fields.pop("address", "12 rue des Lilas, 69003 Lyon"),
        expected_candidates=fields.pop("expected_candidates", 12),
        access_code=fields.pop("access_code", new_access_code()),
        invigilator_password=make_password(INVIGILATOR_PASSWORD),
        status=status,
        opened_at=timezone.now() if status == Session.Status.OPEN else None,
        **fields,
    )


def make_candidate(session: Session, user: User | None = None, **fields: object) -> Candidate:
    return Candidate.objects.create(session=session, user=user or make_user(), **fields)


def make_certificate(
    candidate: Candidate, levels: dict[str, dict] | None = None, **fields: object
) -> Certificate:
    """A certificate issued from an automatic decision (rows written directly)."""
    levels = levels or {"D1": {"level": 3, "probability": 0.93}}
    decision = JuryDecision.objects.create(
        candidate=candidate,
        outcome=JuryDecision.Outcome.CERTIFIED,
        levels=levels,
        rule_version="test",
    )
    return Certificate.objects.create(
        candidate=candidate,
        decision=decision,
        code=fields.pop("code", new_certificate_code()),
        holder_name=candidate.user.get_full_name() or candidate.user.email,
        levels=levels,
        framework_version=candidate.session.framework.version,
        status_index=fields.pop("status_index", next(_sequence)),
        **fields,
    )
