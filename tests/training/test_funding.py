"""Funding routes: who may use which route (training/funding.py), the two faces of the
module-side rule (query and predicate) agree, and the steering query of hours by status and
route."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from palier.accounts.choices import LearnerStatus
from palier.frameworks.models import Population
from palier.training.funding import (
    DECLARED_ROUTES,
    FundingRoute,
    offers_route,
    offers_route_q,
    route_applies,
    routes_for,
    validate_declared_routes,
)
from palier.training.funding_guide import GUIDES
from palier.training.models import Module, PlanEntry
from palier.training.queries import RouteHours, hours_by_status_and_route
from tests.factories import make_user
from tests.training.conftest import make_module

pytestmark = pytest.mark.django_db

S, SE, PUB, PRI = "student", "self_employed", "public_sector", "private_sector"
# The rule table of docs/training.md, "Funding routes", for a learner whose profession is
# not told: the statuses each route applies to.
TABLE = {
    "dpc": {SE, PUB, PRI},
    "anfh": {PUB},
    "opco": {PRI},
    "fifpl": {SE},
    "cpf": {SE, PUB, PRI},
    "employer_plan": {PUB, PRI},
    "free": {S, SE, PUB, PRI},
}


def test_every_route_is_in_the_table_and_has_an_explanation():
    assert set(TABLE) == set(FundingRoute.values) == set(GUIDES)
    for guide in GUIDES.values():
        assert str(guide.who) and str(guide.how) and str(guide.covers)
        assert guide.code == FundingRoute.FREE or guide.source


def test_no_route_code_contains_another():
    # Module.funding_routes is filtered with `contains`.
    codes = FundingRoute.values
    assert not [(a, b) for a in codes for b in codes if a != b and a in b]


def test_a_module_stores_only_declared_route_codes():
    validate_declared_routes("dpc cpf employer_plan")
    for wrong in ("dpc bourse", "free"):  # free follows the price
        with pytest.raises(ValidationError):
            validate_declared_routes(wrong)


@pytest.mark.parametrize("status", LearnerStatus.values)
@pytest.mark.parametrize("route", FundingRoute.values)
def test_the_status_rule_table(route, status):
    assert route_applies(route, status, None) == (status in TABLE[route])


def test_dpc_is_for_health_professions_and_fifpl_not_for_physicians(framework):
    nurse = Population.objects.get(code="soins-infirmiers")
    physician = Population.objects.get(code="medecine")
    social_worker = Population.objects.get(code="travail-social-educateurs-assistants")
    administrative = Population.objects.get(code="personnels-administratifs")
    practising = Population.objects.get(code="professionnels-en-exercice")
    for health in (nurse, physician, practising):
        assert route_applies("dpc", SE, health)
    assert not route_applies("dpc", SE, social_worker)
    assert not route_applies("dpc", PUB, administrative)
    assert route_applies("fifpl", SE, nurse) and not route_applies("fifpl", SE, physician)
    assert route_applies("anfh", PUB, administrative)  # every hospital job


def test_a_learner_without_status_sees_every_route():
    routes = list(FundingRoute.values)
    assert routes_for(routes, "", None) == routes
    assert routes_for(routes, S, None) == ["free"]


@pytest.fixture
def funded(catalogue):
    provider = catalogue["private"]
    make_module("dpc-anfh", provider, ["D2.C1.1"], price_cents=9000, funding_routes="dpc anfh")
    make_module("cpf-seul", provider, ["D2.C1.1"], price_cents=9000, funding_routes="cpf")
    make_module("fifpl-gratuit", provider, ["D2.C1.1"], funding_routes="fifpl")
    make_module("plan", provider, ["D2.C1.1"], price_cents=5000, funding_routes="employer_plan")
    return Module.objects.filter(status=Module.Status.PUBLISHED)


@pytest.mark.parametrize("route", FundingRoute.values)
def test_the_route_query_and_predicate_agree(funded, route):
    by_query = set(funded.filter(offers_route_q(route)).values_list("code", flat=True))
    by_predicate = {module.code for module in funded if offers_route(module, route)}
    assert by_query == by_predicate


def test_free_follows_the_price_and_declared_routes_keep_their_order(funded):
    assert funded.get(code="fifpl-gratuit").route_codes == ["fifpl", "free"]
    assert funded.get(code="dpc-anfh").route_codes == ["dpc", "anfh"]
    assert funded.get(code="dpc-anfh").cpd_eligible
    assert "free" not in [route.value for route in DECLARED_ROUTES]


def _plan(status, population, *entries):
    user = make_user()
    user.profile.status = status
    user.profile.population = Population.objects.filter(code=population).first()
    user.profile.save()
    for code, progress in entries:
        PlanEntry.objects.create(user=user, module=Module.objects.get(code=code), progress=progress)
    return user


def test_hours_by_status_and_route(funded, django_assert_num_queries):
    # cyber-pros: 7 h, DPC; dpc-anfh: 3 h; telesante: 3 h, free; plan: 3 h, employer plan.
    _plan(SE, "soins-infirmiers", ("cyber-pros", "completed"), ("telesante", "planned"))
    _plan(SE, "soins-infirmiers", ("cyber-pros", "started"))
    _plan(PUB, None, ("dpc-anfh", "completed"), ("plan", "planned"))
    _plan(S, "soins-infirmiers", ("dpc-anfh", "planned"), ("telesante", "completed"))
    _plan("", None, ("dpc-anfh", "planned"))
    with django_assert_num_queries(2):
        rows = hours_by_status_and_route(PlanEntry.objects.all())
    h = Decimal
    assert rows == [
        RouteHours("", "anfh", h(3), h(0), 1, 0),
        RouteHours("", "dpc", h(3), h(0), 1, 0),
        RouteHours("public_sector", "anfh", h(3), h(3), 1, 1),
        RouteHours("public_sector", "dpc", h(3), h(3), 1, 1),
        RouteHours("public_sector", "employer_plan", h(3), h(0), 1, 0),
        RouteHours("self_employed", "dpc", h(14), h(7), 2, 1),
        RouteHours("self_employed", "free", h(3), h(0), 1, 0),
        RouteHours("student", "free", h(3), h(3), 1, 1),
    ]


def test_hours_by_status_and_route_leave_out_routes_the_profession_cannot_use(funded):
    provider = Module.objects.get(code="cyber-pros").provider
    make_module("fifpl-payant", provider, ["D2.C1.1"], price_cents=100, funding_routes="fifpl")
    _plan(SE, "medecine", ("fifpl-payant", "completed"))
    _plan(SE, "travail-social-accompagnants", ("cyber-pros", "completed"))
    assert hours_by_status_and_route(PlanEntry.objects.all()) == []
