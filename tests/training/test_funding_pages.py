"""Funding routes on the pages and in the API: the plan shows the routes that fit the
learner, the catalogue and the API filter by route, providers declare routes, and the
funding page explains each route."""

import pytest
from django.urls import reverse

from palier.frameworks.models import Population
from palier.organisations.choices import MembershipRole
from palier.training.models import Module, PlanEntry
from tests.factories import make_member, make_user
from tests.training.conftest import make_module, module_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(catalogue):
    """cyber-pros is a DPC action; two more paid modules for employees."""
    Module.objects.filter(code="cyber-pros").update(
        funding_routes="dpc fifpl", dpc_action_number="99992600001"
    )
    provider = catalogue["private"]
    make_module("hopital", provider, ["D2.C1.1"], price_cents=9000, funding_routes="anfh dpc")
    make_module(
        "clinique", provider, ["D2.C1.1"], price_cents=9000, funding_routes="opco employer_plan"
    )
    return catalogue


def plan_of(client, status, population=None):
    """The routes the plan shows per module, for a learner with every module in their plan."""
    user = make_user()
    user.profile.status = status
    user.profile.population = Population.objects.filter(code=population).first()
    user.profile.save()
    for module in Module.objects.filter(status=Module.Status.PUBLISHED):
        PlanEntry.objects.create(user=user, module=module)
    client.force_login(user)
    response = client.get(reverse("training:plan"))
    assert response.status_code == 200
    routes = {
        entry.module.code: [item.guide.code for item in items]
        for entry, items in response.context["plan_items"]
    }
    return routes, response.content.decode()


def test_a_nursing_student_sees_only_free_routes(client, funded):
    routes, page = plan_of(client, "student", "soins-infirmiers")
    assert routes["telesante"] == ["free"] and routes["cyber-etudiants"] == ["free"]
    assert routes["cyber-pros"] == routes["hopital"] == routes["clinique"] == []
    assert "aucun pour votre situation" in page
    assert "Compléter mon profil" not in page


def test_a_self_employed_nurse_sees_dpc_with_its_action_number_and_fifpl(client, funded):
    routes, page = plan_of(client, "self_employed", "soins-infirmiers")
    assert routes["cyber-pros"] == ["dpc", "fifpl"]
    assert routes["hopital"] == ["dpc"] and routes["clinique"] == []
    assert "Numéro de l'action DPC : 99992600001" in page
    assert "inscrivez-vous sur mondpc.fr" in page
    assert reverse("training:funding") + "#route-fifpl" in page


def test_a_public_sector_professional_sees_the_hospital_fund(client, funded):
    routes, _ = plan_of(client, "public_sector", "professionnels-en-exercice")
    assert routes["hopital"] == ["dpc", "anfh"]
    assert routes["clinique"] == ["employer_plan"] and routes["cyber-pros"] == ["dpc"]


def test_a_private_sector_employee_sees_the_skills_operator(client, funded):
    routes, _ = plan_of(client, "private_sector", "personnels-administratifs")
    assert routes["clinique"] == ["opco", "employer_plan"]
    assert routes["hopital"] == [] and routes["cyber-pros"] == []  # DPC: health professions


def test_a_learner_without_a_status_is_asked_for_it_and_sees_every_route(client, funded):
    routes, page = plan_of(client, "")
    assert routes["hopital"] == ["dpc", "anfh"] and routes["clinique"] == ["opco", "employer_plan"]
    assert "Compléter mon profil" in page and reverse("accounts:profile") in page


def test_the_catalogue_filters_by_route_and_keeps_it_in_the_page_links(client, funded):
    response = client.get(reverse("training:catalogue") + "?route=anfh&area=D2")
    assert response.status_code == 200
    assert {card.module.code for card in response.context["cards"]} == {"hopital"}
    assert "route=anfh" in response.context["page_query"]
    free = client.get(reverse("training:catalogue") + "?route=free")
    assert {card.module.code for card in free.context["cards"]} == {
        "cyber-etudiants",
        "telesante",
    }
    bad = client.get(reverse("training:catalogue") + "?route=bourse")
    assert bad.status_code == 400 and "route" in bad.context["form"].errors


def test_the_api_exposes_each_modules_routes_and_filters_by_route(client, funded):
    modules = {m["code"]: m for m in client.get("/api/v1/training/modules").json()}
    assert modules["cyber-pros"]["funding_routes"] == [
        {"code": "dpc", "dpc_action_number": "99992600001"},
        {"code": "fifpl", "dpc_action_number": None},
    ]
    assert [r["code"] for r in modules["telesante"]["funding_routes"]] == ["free"]
    codes = {m["code"] for m in client.get("/api/v1/training/modules?route=dpc").json()}
    assert codes == {"cyber-pros", "hopital"}
    assert client.get("/api/v1/training/modules?route=bourse").status_code == 422
    # The filter of before funding routes still answers.
    old = {m["code"] for m in client.get("/api/v1/training/modules?funding=cpd").json()}
    assert old == codes
    guides = {g["code"]: g for g in client.get("/api/v1/training/funding-routes").json()}
    assert set(guides) == {"dpc", "anfh", "opco", "fifpl", "cpf", "employer_plan", "free"}
    assert guides["cpf"]["source"].startswith("Code du travail, art. L6323-1")
    assert set(guides["dpc"]["label"]) == set(guides["dpc"]["how"]) == {"fr", "en"}


def test_the_funding_page_explains_every_route_with_its_source(client):
    page = client.get(reverse("training:funding")).content.decode()
    for code in ("dpc", "anfh", "opco", "fifpl", "cpf", "employer_plan", "free"):
        assert f'id="route-{code}"' in page
    assert "Code de la santé publique, art. L4021-1" in page
    assert "Code du travail, art. L6332-1" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"funding_routes": ["dpc"]},  # no action number
        {"funding_routes": ["dpc"], "dpc_action_number": "12-34"},
        {"funding_routes": ["dpc"], "dpc_action_number": "1" * 21},
        {"funding_routes": ["opco"], "dpc_action_number": "99992600001"},  # not a DPC action
    ],
)
def test_a_dpc_action_number_is_required_with_dpc_and_only_digits(client, catalogue, changes):
    client.force_login(make_member(catalogue["university"], MembershipRole.ADMIN))
    before = Module.objects.count()
    url = reverse("training:module_new", args=["univ-test"])
    response = client.post(url, module_data(**changes))
    assert response.status_code == 200
    assert "dpc_action_number" in response.context["form"].errors
    assert Module.objects.count() == before


def test_a_provider_declares_funding_routes(client, catalogue):
    client.force_login(make_member(catalogue["university"], MembershipRole.ADMIN))
    data = module_data(
        price_cents="12000", funding_routes=["dpc", "opco"], dpc_action_number="99992600001"
    )
    bad = module_data(funding_routes=["free"])  # free follows the price, it is not declared
    url = reverse("training:module_new", args=["univ-test"])
    assert "funding_routes" in client.post(url, bad).context["form"].errors
    assert client.post(url, data).status_code == 302
    module = Module.objects.get(title_fr="Sécuriser son poste en stage")
    assert module.funding_routes == "dpc opco" and module.dpc_action_number == "99992600001"
