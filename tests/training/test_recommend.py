"""Ranking cases: the modules a learner is offered after a test (docs/training.md)."""

import pytest

from palier.assessments.models import Attempt, EngineSettings
from palier.frameworks.models import Capacity, Population
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Calibration
from palier.training.recommend import learning_plan, rank_modules
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def finished_attempt(user, framework, levels: dict[str, int]) -> Attempt:
    from django.utils import timezone

    calibration = Calibration.objects.filter(
        framework=framework
    ).first() or create_provisional_calibration(framework)
    settings = EngineSettings.objects.create(version=f"t-{user.pk}", valid_from=timezone.now())
    return Attempt.objects.create(
        user=user,
        framework=framework,
        calibration=calibration,
        engine_settings=settings,
        areas=list(levels),
        seed=1,
        status=Attempt.Status.FINISHED,
        finished_at=timezone.now(),
        result={
            "areas": {
                code: {
                    "theta": 0.0,
                    "se": 0.5,
                    "level": level,
                    "level_probabilities": [],
                    "precision": "fair",
                }
                for code, level in levels.items()
            }
        },
    )


def learner(status: str, population: str | None = None, **fields):
    user = make_user(**fields)
    user.profile.status = status
    user.profile.population = Population.objects.filter(code=population).first()
    user.profile.save()
    return user


def test_a_nursing_student_weak_in_cybersecurity_gets_student_modules_first(framework, catalogue):
    student = learner("student", "soins-infirmiers")
    attempt = finished_attempt(student, framework, {"D2": 1, "D5": 4})
    plan = learning_plan(student, attempt)
    assert [area_plan.area.code for area_plan in plan] == ["D2"]  # D5 already at target 3
    ranked = [r.module.code for r in plan[0].modules]
    assert ranked[0] == "cyber-etudiants"
    assert "brouillon" not in ranked and "telesante" not in ranked


def test_a_self_employed_professional_gets_cpd_funded_modules_first(framework, catalogue):
    nurse = learner("self_employed", "professionnels-en-exercice")
    attempt = finished_attempt(nurse, framework, {"D2": 1})
    ranked = learning_plan(nurse, attempt)[0].modules
    assert ranked[0].module.code == "cyber-pros"
    assert "cpd" in ranked[0].reasons


def test_a_student_sees_their_own_institutions_modules_first(framework, catalogue):
    from palier.organisations.services import add_member
    from tests.training.conftest import make_module

    gap = set(Capacity.objects.filter(code__in=["D2.C2.1"]).values_list("pk", flat=True))
    elsewhere = make_module(
        "cyber-ailleurs", catalogue["private"], ["D2.C2.1"], statuses="student", hours=2
    )
    at_home = make_module(
        "cyber-chez-soi",
        catalogue["university"],
        ["D2.C2.1"],
        statuses="student",
        hours=10,
        price_cents=5000,
    )
    student = learner("student")
    assert rank_modules([elsewhere, at_home], gap, student, 1, 3, "fr")[0].module == elsewhere
    add_member(catalogue["university"], student)
    ranked = rank_modules([elsewhere, at_home], gap, student, 1, 3, "fr")
    assert ranked[0].module == at_home and "own_institution" in ranked[0].reasons


def test_modules_below_the_learners_level_are_not_offered(framework, catalogue):
    gap = set(Capacity.objects.filter(code__in=["D2.C2.1"]).values_list("pk", flat=True))
    assert rank_modules([catalogue["students"]], gap, learner("student"), 3, 4, "fr") == []


def test_areas_at_or_above_target_need_no_plan(framework, catalogue):
    user = learner("student", "soins-infirmiers")
    assert learning_plan(user, finished_attempt(user, framework, {"D2": 3, "D5": 5})) == []
