"""Hand-made rows for the steering indicator tests: learners with a profile, finished
positioning tests, completed modules, certificates and campaign participations, each at a
chosen moment (Paris time)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from itertools import count

from django.utils import timezone

from palier.assessments.models import Attempt, EngineSettings, Purpose
from palier.campaigns.models import Campaign, Participation, SharedLevel
from palier.campaigns.services import create_campaign
from palier.frameworks.models import Capacity, Population
from palier.frameworks.queries import current_framework
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Calibration
from palier.organisations.choices import MembershipRole
from palier.training.models import Module, PlanEntry
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_member, make_user

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
_sequence = count(1)


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=PARIS)


def learner(population: str | None = None, region: str = "", status: str = "student", **fields):
    user = make_user(**fields)
    profile = user.profile
    profile.population = Population.objects.get(code=population) if population else None
    profile.region = region
    profile.status = status
    profile.save()
    return user


def positioning(user, moment: dt.datetime, *, synthetic: bool = False, **fields) -> Attempt:
    framework = current_framework()
    calibration = Calibration.objects.filter(framework=framework).first()
    calibration = calibration or create_provisional_calibration(framework)
    settings, _created = EngineSettings.objects.get_or_create(
        version="steering-tests", defaults={"valid_from": timezone.now()}
    )
    return Attempt.objects.create(
        user=user,
        framework=framework,
        calibration=calibration,
        engine_settings=settings,
        purpose=fields.pop("purpose", Purpose.POSITIONING),
        areas=["D1"],
        seed=1,
        status=fields.pop("status", Attempt.Status.FINISHED),
        finished_at=moment,
        synthetic=synthetic,
        **fields,
    )


def module(provider, *, mapped: bool = True, hours: str = "3") -> Module:
    made = Module.objects.create(
        code=f"module-{next(_sequence)}",
        provider=provider,
        title_fr="Module d'essai",
        summary_fr="Résumé.",
        format=Module.Format.ELEARNING,
        hours=Decimal(hours),
        language="fr",
        target_level=3,
        enrol_url="https://formation.example/x",
        status=Module.Status.PUBLISHED,
    )
    if mapped:
        made.capacities.set(Capacity.objects.filter(code="D2.C4.1"))
    return made


def completion(user, made: Module, moment: dt.datetime) -> PlanEntry:
    entry = PlanEntry.objects.create(
        user=user, module=made, progress=PlanEntry.Progress.COMPLETED, completed_at=moment
    )
    PlanEntry.objects.filter(pk=entry.pk).update(added_at=moment)
    return entry


def certificate(user, moment: dt.datetime, *, revoked: bool = False, session=None):
    session = session or make_session(make_centre(), current_framework(), date=moment.date())
    made = make_certificate(make_candidate(session, user))
    made.issued_at = moment
    made.revoked_at = timezone.now() if revoked else None
    made.save(update_fields=["issued_at", "revoked_at"])
    return made


def campaign(organisation, opens_on: dt.date, closes_on: dt.date) -> Campaign:
    admin = make_member(organisation, MembershipRole.ADMIN)
    return create_campaign(
        organisation,
        admin,
        {
            "framework": current_framework(),
            "name": f"Campagne {next(_sequence)}",
            "purpose": "Positionner la promotion.",
            "kind": Campaign.Kind.ASSESSMENT,
            "areas": ["D1", "D2", "D3", "D4", "D5"],
            "target_population": None,
            "opens_on": opens_on,
            "closes_on": closes_on,
            "external_id_label": "",
            "sharing": Campaign.Sharing.CONSENT,
        },
    )


def participation(
    user,
    made: Campaign,
    joined: dt.datetime,
    levels: dict[str, tuple[int, int | None]] | None = None,
) -> Participation:
    """A participation; with `levels` ({area: (level, target)}), a result finished and
    shared at `joined`."""
    if levels is None:
        return Participation.objects.create(campaign=made, user=user, joined_at=joined)
    snapshot = {"areas": {a: {"level": lv, "target": t} for a, (lv, t) in levels.items()}}
    shared = Participation.objects.create(
        campaign=made,
        user=user,
        joined_at=joined,
        status=Participation.Status.SHARED,
        finished_at=joined,
        shared_at=joined,
        snapshot=snapshot,
    )
    SharedLevel.objects.bulk_create(
        SharedLevel(participation=shared, area=area, level=level, target=target, theta=0.0)
        for area, (level, target) in levels.items()
    )
    return shared


def small_country() -> dict:
    """Two institutions in 2025-2026: 12 nurses of Île-de-France in a university (one of
    them also in a nursing institute), 3 nurses of Bretagne in the institute only, and one
    learner without a profile who completed a mapped module. Everyone shares a D1 level."""
    from palier.accounts.models import LearnerProfile
    from palier.organisations.choices import OrganisationType
    from tests.factories import make_organisation

    university = make_organisation(
        "Université Alpha", slug="univ-alpha", type=OrganisationType.UNIVERSITY, region="11"
    )
    institute = make_organisation(
        "IFSI Beta", slug="ifsi-beta", type=OrganisationType.HEALTH_TRAINING_INSTITUTE, region="53"
    )
    opens, closes = dt.date(2025, 9, 1), dt.date(2026, 6, 30)
    in_university = campaign(university, opens, closes)
    in_institute = campaign(institute, opens, closes)
    paris = [learner("soins-infirmiers", "11") for _ in range(12)]
    breton = [learner("soins-infirmiers", "53") for _ in range(3)]
    for user in paris:
        positioning(user, at(2025, 10, 1))
        participation(user, in_university, at(2025, 9, 15), {"D1": (3, 3)})
    participation(paris[0], in_institute, at(2025, 9, 20), {"D1": (2, 3)})
    for user in breton:
        positioning(user, at(2025, 10, 2))
        participation(user, in_institute, at(2025, 9, 15), {"D1": (1, 3)})
    anonymous = make_user()
    LearnerProfile.objects.filter(user=anonymous).delete()
    completion(anonymous, module(university, hours="4"), at(2026, 2, 1))
    return {
        "university": university,
        "institute": institute,
        "paris": paris,
        "breton": breton,
        "anonymous": anonymous,
        "campaigns": (in_university, in_institute),
    }
