"""Demo certification for `make run` (demo data only, after the pilot calibration).

The demo institute becomes a certification centre with:
- a past session, finalised and published: demo candidates who sat the real test (answers
  drawn from a fixed ability each, with a seeded generator), their certificates, one of
  them revoked;
- a session open today, with `apprenant@` enrolled and `surveillance@` as invigilator; its
  access code and invigilator password are printed by the command.

Certification needs a calibration estimated from responses: with only the provisional one,
nothing is created and the command says why.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from palier.accounts.demo import DEMO_DOMAIN
from palier.accounts.models import LearnerProfile, User
from palier.assessments import services as assessments
from palier.assessments.models import Attempt
from palier.certification import centre_services, enrolment, jury_services, services
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Centre, Certificate, Session
from palier.engine import probability
from palier.frameworks.queries import current_framework
from palier.items.formats import get_format
from palier.organisations.demo import DEMO_ORGANISATION_SLUG
from palier.organisations.models import Organisation

# Published on purpose, like the demo accounts' password: demo data only.
DEMO_INVIGILATOR_PASSWORD = "surveillance-demo"  # noqa: S105
DEMO_INVIGILATOR = f"surveillance@{DEMO_DOMAIN}"
DEMO_CANDIDATE = f"apprenant@{DEMO_DOMAIN}"
DEMO_ADMIN = f"admin@{DEMO_DOMAIN}"
# Past candidates: name and ability (logits) in every area.
PAST_CANDIDATES = (
    ("Manon", "Garcia", 1.2),
    ("Théo", "Lambert", 0.3),
    ("Chloé", "Fontaine", -0.4),
    ("Yanis", "Mercier", 0.8),
)
DEVICE = "demo-device"


@dataclass(frozen=True)
class DemoCertification:
    centre: str
    open_code: str
    password: str
    past_certificates: int
    created: bool


class NoCalibration(RuntimeError):
    """The active calibration is provisional: a certification cannot run on it."""


def _session(centre: Centre, admin: User, start: dt.time, room: str) -> Session:
    """A session of today, opened, through the centres' own services (code, password,
    invigilator)."""
    invigilators = User.objects.filter(email=DEMO_INVIGILATOR)
    session = centre_services.create_session(
        centre,
        admin,
        {
            "date": timezone.localdate(),
            "start_time": start,
            "room": room,
            "address": "12 rue de l'Observatoire, 75006 Paris",
            "expected_candidates": 12,
        },
        invigilator_password=DEMO_INVIGILATOR_PASSWORD,
        invigilators=invigilators,
        framework=current_framework(),
    )
    return centre_services.open_session(session, admin)


def _demo_user(first_name: str, last_name: str) -> User:
    plain = first_name.lower().replace("é", "e").replace("è", "e")
    email = f"{plain}.{last_name.lower()}@{DEMO_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email,
            password=None,  # cannot sign in: a demo candidate only
            first_name=first_name,
            last_name=last_name,
            email_confirmed_at=timezone.now(),
        )
        LearnerProfile.objects.create(user=user)
    return user


def _sit(candidate: Candidate, ability: float, rng: np.random.Generator, by: User) -> None:
    """The candidate sits the real test, answering each question right with the model's
    probability at `ability`."""
    services.join_session(candidate.user, candidate.session.access_code, DEVICE)
    services.authorise(candidate, by)
    attempt = services.start_test(candidate, DEVICE)
    while True:
        attempt = Attempt.objects.select_related("current_version").get(pk=attempt.pk)
        if attempt.is_finished or attempt.current_version is None:
            break
        version = attempt.current_version
        a, b, c = assessments.bank_snapshot(attempt.calibration).parameters[version.pk]
        p = float(probability(ability, [a], [b], [c or 0.0])[0])
        right = get_format(version.format).expected_answer(version.definition, "fr")
        raw = right if rng.random() < p else None
        try:
            services.answer(candidate, DEVICE, attempt.current_position, raw)
        except CertificationError:
            services.answer(candidate, DEVICE, attempt.current_position, None)


@transaction.atomic
def load_demo_certification() -> DemoCertification:
    """Create the demo centre and its two sessions once; later runs reuse them."""
    framework = current_framework()
    try:
        assessments.certification_calibration(framework)
    except assessments.AssessmentError as error:
        raise NoCalibration(error.message) from error
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION_SLUG)
    admin = User.objects.get(email=DEMO_ADMIN)
    created = not Centre.objects.filter(organisation=organisation).exists()
    centre = centre_services.grant_centre(organisation, admin)
    today = timezone.localdate()
    open_session = centre.sessions.filter(status=Session.Status.OPEN, date=today).first()
    if not created and open_session is not None:
        return DemoCertification(
            str(centre),
            open_session.access_code,
            DEMO_INVIGILATOR_PASSWORD,
            Certificate.objects.filter(candidate__session__centre=centre).count(),
            False,
        )
    invigilator = User.objects.get(email=DEMO_INVIGILATOR)
    if not centre.sessions.filter(status=Session.Status.FINALISED).exists():
        past = _session(centre, admin, dt.time(9, 30), "Salle 204")
        rng = np.random.default_rng(2026)
        for first_name, last_name, ability in PAST_CANDIDATES:
            user = _demo_user(first_name, last_name)
            candidate = enrolment.enrol_candidate(past, user.email, by=admin)
            _sit(candidate, ability, rng, invigilator)
        present = set(past.candidates.values_list("pk", flat=True))
        services.finalise_session(
            past, invigilator, present, "Session de démonstration, sans incident."
        )
        jury_services.publish_results(past, admin)
        revoked = Certificate.objects.filter(candidate__session=past).order_by("pk").last()
        if revoked is not None:
            jury_services.revoke_certificate(
                revoked, admin, "Démonstration : certificat révoqué après une fraude établie."
            )
        # Sessions are scheduled from today on: the demo's history is dated back once run.
        Session.objects.filter(pk=past.pk).update(date=today - dt.timedelta(days=21))
    if open_session is None:
        open_session = _session(centre, admin, dt.time(14, 0), "Salle informatique 2")
    learner = User.objects.filter(email=DEMO_CANDIDATE).first()
    if learner is not None and not open_session.candidates.filter(user=learner).exists():
        enrolment.enrol_candidate(open_session, learner.email, by=admin)
    return DemoCertification(
        str(centre),
        open_session.access_code,
        DEMO_INVIGILATOR_PASSWORD,
        Certificate.objects.filter(candidate__session__centre=centre).count(),
        True,
    )


@transaction.atomic
def remove_demo_certification() -> int:
    """Delete the demo centre's sessions and every candidacy of a demo account, with their
    certificates (kept otherwise: a certificate protects its candidacy, a candidacy its
    account); to run before the demo accounts are removed. Returns the candidacies removed."""
    candidates = Candidate.objects.filter(user__email__iendswith="@" + DEMO_DOMAIN) | (
        Candidate.objects.filter(session__centre__organisation__is_demo=True)
    )
    candidate_ids = list(candidates.values_list("pk", flat=True))
    Certificate.objects.filter(candidate_id__in=candidate_ids).delete()
    Candidate.objects.filter(pk__in=candidate_ids).delete()
    Session.objects.filter(centre__organisation__is_demo=True).delete()
    Centre.objects.filter(organisation__is_demo=True).delete()
    return len(candidate_ids)
