"""Shared pieces of the award tests: hand-made learners, results and awards.

No test lives here; the award test modules import what they use."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from palier.assessments.models import Attempt, EngineSettings
from palier.campaigns.models import Campaign, Participation, SharedLevel
from palier.campaigns.services import create_campaign
from palier.frameworks.models import Capacity, Population
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Calibration
from palier.steering.models import Award, FundingCall, PlannedLearners
from palier.training.models import Module, PlanEntry
from tests.campaigns.conftest import campaign_fields
from tests.factories import make_user


def make_call() -> FundingCall:
    call, _ = FundingCall.objects.get_or_create(
        code="appel-test",
        defaults={
            "title_fr": "Appel de test",
            "budget_euros": 10_000_000,
            "opens_on": dt.date(2022, 1, 1),
            "closes_on": dt.date(2022, 6, 30),
        },
    )
    return call


def make_award(organisation, code: str = "projet-test", **fields) -> Award:
    defaults = {
        "title_fr": f"Projet {code}",
        "amount_euros": 1_500_000,
        "starts_on": dt.date(2023, 9, 1),
        "ends_on": dt.date(2028, 8, 31),
        "objectives_fr": "Former les étudiants en soins infirmiers.",
    }
    defaults.update(fields)
    return Award.objects.create(call=make_call(), code=code, organisation=organisation, **defaults)


def plan(award: Award, population_code: str, year: int, learners: int) -> None:
    PlannedLearners.objects.create(
        award=award,
        population=Population.objects.get(code=population_code),
        academic_year=year,
        learners=learners,
    )


def learner(population_code: str | None = "soins-infirmiers", **fields):
    user = make_user(**fields)
    user.profile.population = Population.objects.filter(code=population_code).first()
    user.profile.status = "student"
    user.profile.save()
    return user


def finished_attempt(user, framework, when: dt.datetime | None = None) -> Attempt:
    calibration = Calibration.objects.filter(
        framework=framework
    ).first() or create_provisional_calibration(framework)
    settings = EngineSettings.objects.create(version=f"t-{user.pk}", valid_from=timezone.now())
    return Attempt.objects.create(
        user=user,
        framework=framework,
        calibration=calibration,
        engine_settings=settings,
        areas=["D1"],
        seed=1,
        status=Attempt.Status.FINISHED,
        finished_at=when or timezone.now(),
    )


def make_campaign(organisation, admin, **overrides) -> Campaign:
    return create_campaign(organisation, admin, campaign_fields(**overrides))


def join(campaign: Campaign, user, levels: dict[str, int] | None = None) -> Participation:
    """`user` joins `campaign`; with `levels`, they share a result with those levels."""
    now = timezone.now()
    participation = Participation.objects.create(
        campaign=campaign,
        user=user,
        status=Participation.Status.SHARED if levels else Participation.Status.JOINED,
        shared_at=now if levels else None,
        snapshot={"areas": levels} if levels else None,
        population_code="soins-infirmiers",
    )
    for area, level in (levels or {}).items():
        SharedLevel.objects.create(participation=participation, area=area, level=level, theta=0.0)
    return participation


def make_module(provider, code: str = "module-test", hours: str = "3.5") -> Module:
    module = Module.objects.create(
        code=code,
        provider=provider,
        title_fr=f"Module {code}",
        summary_fr="Un module de test.",
        format=Module.Format.ELEARNING,
        hours=hours,
        language="fr",
        target_level=2,
        enrol_url="https://formation.example/inscription",
        status=Module.Status.PUBLISHED,
    )
    module.capacities.add(Capacity.objects.first())
    return module


def complete(user, module: Module) -> PlanEntry:
    return PlanEntry.objects.create(
        user=user,
        module=module,
        progress=PlanEntry.Progress.COMPLETED,
        completed_at=timezone.now(),
    )
