"""Learners ask the provider of a module to confirm their declared completion; the provider
sees nothing of their plan until they ask, and confirms only what was asked."""

import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from palier.accounts.services import erase_user
from palier.core.errors import ServiceError
from palier.frameworks.models import Capacity
from palier.organisations.choices import MembershipRole
from palier.training import services
from palier.training.models import PlanEntry, Resource
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def declare(user, module, progress="completed", *, ask=True) -> PlanEntry:
    entry = services.set_progress(services.add_to_plan(user, module=module), progress)
    if ask and progress == "completed":
        services.request_confirmation(entry)
    return entry


def make_resource() -> Resource:
    capacity = Capacity.objects.select_related("competence").get(code="D2.C2.1")
    resource = Resource.objects.create(
        code="tuto-mots-de-passe",
        competence=capacity.competence,
        kind=Resource.Kind.TUTORIAL,
        level=2,
        minutes=10,
        title_fr="Choisir un mot de passe",
        summary_fr="Un tutoriel court.",
        body_fr="Contenu.",
    )
    resource.capacities.add(capacity)
    return resource


@pytest.fixture
def plans(catalogue):
    """Learners' plans on the university's module (asked, completed without asking, started)
    and on another provider's module (asked)."""
    asked = make_user("lea.martin@example.org", first_name="Léa", last_name="Martin")
    quiet = make_user("marc.petit@example.org", first_name="Marc", last_name="Petit")
    started = make_user("paul.simon@example.org", first_name="Paul", last_name="Simon")
    elsewhere = make_user("ines.roy@example.org", first_name="Inès", last_name="Roy")
    return {
        "asked": declare(asked, catalogue["students"]),
        "quiet": declare(quiet, catalogue["students"], ask=False),
        "started": declare(started, catalogue["students"], "started"),
        "elsewhere": declare(elsewhere, catalogue["telehealth"]),
    }


@pytest.fixture
def admin(catalogue):
    return make_member(catalogue["university"], MembershipRole.ADMIN)


def completions_url(slug: str = "univ-test") -> str:
    return reverse("training:completions", args=[slug])


def confirm_url(entry: PlanEntry, slug: str = "univ-test") -> str:
    return reverse("training:confirm", args=[slug, entry.pk])


def request_url(entry: PlanEntry) -> str:
    return reverse("training:confirmation_request", args=[entry.pk])


def api_url(entry: PlanEntry) -> str:
    return f"/api/v1/training/plan/{entry.pk}/confirmation-request"


def test_providers_see_only_requested_completions_of_their_own_modules(client, admin, plans):
    client.force_login(admin)
    page = client.get(completions_url()).content.decode()
    assert "Léa Martin" in page and "lea.martin@example.org" in page
    assert "marc.petit@example.org" not in page  # completed, but did not ask
    assert "paul.simon@example.org" not in page  # started, not completed
    assert "ines.roy@example.org" not in page  # another provider's module
    modules = client.get(reverse("training:provider_modules", args=["univ-test"]))
    assert "1 en attente" in modules.content.decode()


def test_the_provider_sees_nothing_until_the_learner_asks(client, admin, plans):
    entry = plans["quiet"]
    client.force_login(entry.user)
    plan = client.get(reverse("training:plan")).content.decode()
    assert "Demander à l'organisme de confirmer" in plan
    assert "verra votre nom, votre adresse e-mail, ce module et la date" in plan
    assert "ne voient rien de votre plan" in plan
    response = client.post(request_url(entry))
    assert response.status_code == 302 and response.url == reverse("training:plan")
    entry.refresh_from_db()
    assert entry.confirmation_requested_at is not None and not entry.confirmed_by_provider
    assert "Confirmation demandée le" in client.get(reverse("training:plan")).content.decode()
    client.force_login(admin)
    assert "marc.petit@example.org" in client.get(completions_url()).content.decode()


def test_asking_again_keeps_the_first_request(plans):
    entry = plans["asked"]
    requested_at = entry.confirmation_requested_at
    services.request_confirmation(entry)
    entry.refresh_from_db()
    assert entry.confirmation_requested_at == requested_at


@pytest.mark.parametrize("progress", ["planned", "started"])
def test_asking_before_completing_is_refused_and_stores_nothing(client, catalogue, progress):
    entry = declare(make_user(), catalogue["students"], progress)
    with pytest.raises(ServiceError) as refused:
        services.request_confirmation(entry)
    assert (refused.value.status, refused.value.code) == (409, "not_completed")
    client.force_login(entry.user)
    response = client.post(api_url(entry))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_completed"
    client.post(request_url(entry))
    assert (
        "Déclarez d&#x27;abord le module terminé"
        in client.get(reverse("training:plan")).content.decode()
    )
    entry.refresh_from_db()
    assert entry.confirmation_requested_at is None


def test_a_resource_cannot_be_confirmed(client, catalogue):
    learner = make_user()
    entry = services.set_progress(
        services.add_to_plan(learner, resource=make_resource()), "completed"
    )
    client.force_login(learner)
    plan = client.get(reverse("training:plan")).content.decode()
    assert "Demander à l'organisme de confirmer" not in plan
    response = client.post(api_url(entry))
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_a_module"
    client.post(request_url(entry))
    entry.refresh_from_db()
    assert entry.confirmation_requested_at is None


def test_another_learners_entry_is_not_found(client, plans):
    entry = plans["quiet"]
    client.force_login(make_user())
    assert client.post(request_url(entry)).status_code == 404
    assert client.post(api_url(entry)).status_code == 404
    assert client.delete(api_url(plans["asked"])).status_code == 404
    entry.refresh_from_db()
    assert entry.confirmation_requested_at is None
    plans["asked"].refresh_from_db()
    assert plans["asked"].confirmation_requested_at is not None


def test_the_api_asks_and_withdraws(client, plans):
    entry = plans["quiet"]
    assert client.post(api_url(entry)).status_code == 401
    client.force_login(entry.user)
    asked = client.post(api_url(entry))
    assert asked.status_code == 200 and asked.json()["confirmation_requested_at"]
    again = client.post(api_url(entry))
    assert again.json()["confirmation_requested_at"] == asked.json()["confirmation_requested_at"]
    services.confirm_completion(entry, entry.module.provider)
    withdrawn = client.delete(api_url(entry))
    assert withdrawn.status_code == 200
    body = withdrawn.json()
    assert body["confirmation_requested_at"] is None and body["confirmed_by_provider"] is False
    assert body["progress"] == "completed"


def test_a_provider_confirms_and_the_learner_sees_it(client, admin, plans):
    entry = plans["asked"]
    client.force_login(admin)
    response = client.post(confirm_url(entry), {"confirmed": "1"})
    assert response.status_code == 302 and response.url.endswith("#module-cyber-etudiants")
    entry.refresh_from_db()
    assert entry.confirmed_by_provider
    assert "Confirmé" in client.get(completions_url()).content.decode()
    client.force_login(entry.user)
    plan = client.get(reverse("training:plan")).content.decode()
    assert "Confirmé par l'organisme" in plan
    assert "Confirmation demandée le" not in plan


def test_a_provider_cannot_confirm_what_nobody_asked(client, admin, plans):
    entry = plans["quiet"]
    client.force_login(admin)
    assert client.post(confirm_url(entry), {"confirmed": "1"}).status_code == 404
    with pytest.raises(ServiceError) as refused:
        services.confirm_completion(entry, entry.module.provider)
    assert refused.value.status == 404
    entry.refresh_from_db()
    assert not entry.confirmed_by_provider


def test_a_provider_withdraws_its_confirmation(client, admin, plans):
    entry = plans["asked"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(admin)
    client.post(confirm_url(entry), {"confirmed": "0"})
    entry.refresh_from_db()
    assert not entry.confirmed_by_provider and entry.confirmation_requested_at is not None


def test_withdrawing_the_request_hides_the_learner_and_clears_the_confirmation(
    client, admin, plans
):
    entry = plans["asked"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(entry.user)
    client.post(request_url(entry), {"withdraw": "1"})
    entry.refresh_from_db()
    assert entry.progress == "completed" and entry.completed_at
    assert entry.confirmation_requested_at is None and not entry.confirmed_by_provider
    plan = client.get(reverse("training:plan")).content.decode()
    assert "Demander à l'organisme de confirmer" in plan
    client.force_login(admin)
    assert "lea.martin" not in client.get(completions_url()).content.decode()


def test_another_organisation_cannot_see_or_confirm(client, catalogue, plans):
    entry = plans["asked"]
    client.force_login(make_member(catalogue["private"], MembershipRole.ADMIN))
    assert client.get(completions_url()).status_code == 404
    assert client.post(confirm_url(entry), {"confirmed": "1"}).status_code == 404
    # through its own organisation, an entry of someone else's module is not found either
    assert client.post(confirm_url(entry, "fc-test"), {"confirmed": "1"}).status_code == 404
    assert "lea.martin" not in client.get(completions_url("fc-test")).content.decode()
    entry.refresh_from_db()
    assert not entry.confirmed_by_provider
    with pytest.raises(ServiceError) as refused:
        services.confirm_completion(entry, catalogue["private"])
    assert refused.value.status == 404


def test_members_who_are_not_admins_get_403(client, catalogue, plans):
    client.force_login(make_member(catalogue["university"], MembershipRole.MEMBER))
    assert client.get(completions_url()).status_code == 403
    assert client.post(confirm_url(plans["asked"]), {"confirmed": "1"}).status_code == 403
    modules = client.get(reverse("training:provider_modules", args=["univ-test"]))
    assert completions_url() not in modules.content.decode()


def test_an_entry_that_is_not_completed_cannot_be_confirmed(client, admin, plans):
    client.force_login(admin)
    assert client.post(confirm_url(plans["started"]), {"confirmed": "1"}).status_code == 404
    plans["started"].refresh_from_db()
    assert not plans["started"].confirmed_by_provider


def test_un_completing_withdraws_the_request_and_the_confirmation(client, admin, plans):
    entry = plans["asked"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(entry.user)
    client.post(reverse("training:update", args=[entry.pk]), {"progress": "started"})
    entry.refresh_from_db()
    assert entry.progress == "started" and not entry.confirmed_by_provider
    assert entry.confirmation_requested_at is None
    client.force_login(admin)
    assert "lea.martin" not in client.get(completions_url()).content.decode()
    # completed again: the provider sees nothing until the learner asks again
    services.set_progress(entry, "completed")
    entry.refresh_from_db()
    assert entry.confirmation_requested_at is None and not entry.confirmed_by_provider
    assert "lea.martin" not in client.get(completions_url()).content.decode()


def test_saving_completed_again_keeps_the_request_the_confirmation_and_the_date(plans):
    entry = plans["asked"]
    completed_at, requested_at = entry.completed_at, entry.confirmation_requested_at
    services.confirm_completion(entry, entry.module.provider)
    entry.refresh_from_db()
    services.set_progress(entry, "completed")
    entry.refresh_from_db()
    assert entry.confirmed_by_provider and entry.completed_at == completed_at
    assert entry.confirmation_requested_at == requested_at


def test_the_api_clears_the_request_and_the_confirmation_too(client, plans):
    entry = plans["asked"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(entry.user)
    response = client.patch(
        f"/api/v1/training/plan/{entry.pk}",
        json.dumps({"progress": "planned"}),
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    assert body["confirmed_by_provider"] is False and body["confirmation_requested_at"] is None


def test_the_database_refuses_a_request_on_an_entry_that_is_not_completed(plans):
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanEntry.objects.filter(pk=plans["asked"].pk).update(progress="started")


def test_erased_learners_are_not_listed(client, admin, plans):
    erase_user(plans["asked"].user)
    client.force_login(admin)
    page = client.get(completions_url()).content.decode()
    assert "erased.invalid" not in page and "Personne ne vous a encore" in page


def test_the_confirmation_page_reads_in_constant_queries(
    client, admin, catalogue, plans, django_assert_max_num_queries
):
    for number in range(5):
        declare(make_user(f"learner{number}@example.org"), catalogue["students"])
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        assert client.get(completions_url()).status_code == 200
