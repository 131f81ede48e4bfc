"""The two faces of each audience rule (a query for the catalogue, a predicate for loaded
modules) agree, and the recommendation's labels are only shown when true."""

import pytest

from palier.accounts.choices import LearnerStatus
from palier.frameworks.models import Capacity, Population
from palier.training.audience import fits_status, names_population, population_q, status_q
from palier.training.models import Module
from palier.training.recommend import rank_modules
from tests.factories import make_user
from tests.training.conftest import make_module

pytestmark = pytest.mark.django_db


@pytest.fixture
def varied(catalogue):
    """Modules across price, DPC eligibility, audience and population."""
    provider = catalogue["private"]
    make_module("payant-etudiants", provider, ["D2.C1.1"], statuses="student", price_cents=9000)
    make_module("payant-tous", provider, ["D2.C1.1"], price_cents=9000)
    make_module("dpc-tous", provider, ["D2.C1.1"], price_cents=9000, funding_routes="dpc")
    make_module("dpc-gratuit", provider, ["D2.C1.1"], funding_routes="dpc")
    make_module("libre-prive", provider, ["D2.C1.1"], statuses="self_employed private_sector")
    make_module("infirmiers", provider, ["D2.C1.1"], populations=["soins-infirmiers"])
    return Module.objects.filter(status=Module.Status.PUBLISHED)


@pytest.mark.parametrize("status", LearnerStatus.values)
def test_the_status_query_and_predicate_agree(varied, status):
    by_query = set(varied.filter(status_q(status)).values_list("code", flat=True))
    by_predicate = {module.code for module in varied if fits_status(module, status)}
    assert by_query == by_predicate


def test_a_student_is_not_offered_paid_courses_priced_for_others(varied):
    fitting = {m.code for m in varied.filter(status_q("student"))}
    assert {"payant-etudiants", "dpc-gratuit", "telesante", "cyber-etudiants"} <= fitting
    assert not fitting & {"payant-tous", "dpc-tous", "cyber-pros", "libre-prive"}


def test_a_practising_professional_is_offered_dpc_courses_but_not_student_ones(varied):
    fitting = {m.code for m in varied.filter(status_q("self_employed"))}
    assert {"dpc-tous", "cyber-pros", "libre-prive"} <= fitting
    assert not fitting & {"payant-etudiants", "cyber-etudiants", "payant-tous"}


def test_no_status_fits_nothing(varied):
    assert not any(fits_status(module, "") for module in varied)


def test_the_population_query_and_predicate_agree_on_named_modules(varied):
    nursing = Population.objects.get(code="soins-infirmiers")
    named = {
        m.code for m in varied.prefetch_related("populations") if names_population(m, nursing.pk)
    }
    assert named == {"cyber-etudiants", "infirmiers"}
    open_to = set(varied.filter(population_q("soins-infirmiers")).values_list("code", flat=True))
    assert named <= open_to and "telesante" in open_to
    assert not any(names_population(m, None) for m in varied)


def test_a_recommendation_says_adapted_only_when_it_is_true(varied):
    gap = set(Capacity.objects.filter(code="D2.C1.1").values_list("pk", flat=True))
    modules = list(varied.prefetch_related("capacities", "populations"))
    nobody = make_user()  # an empty profile: no status, no curriculum
    ranked = rank_modules(modules, gap, nobody, level=1, target=3, language="fr")
    assert ranked and all(
        "status" not in r.reasons and "population" not in r.reasons for r in ranked
    )
    student = make_user()
    student.profile.status = "student"
    student.profile.save()
    reasons = {
        r.module.code: r.reasons
        for r in rank_modules(modules, gap, student, level=1, target=3, language="fr")
    }
    assert "status" in reasons["payant-etudiants"] and "status" not in reasons["dpc-tous"]
