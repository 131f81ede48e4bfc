"""Providers confirm the completions that learners declared on their modules."""

import pytest
from django.urls import reverse

from palier.accounts.choices import MembershipRole
from palier.accounts.services import erase_user
from palier.core.errors import ServiceError
from palier.training import services
from palier.training.models import PlanEntry
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


def declare(user, module, progress="completed") -> PlanEntry:
    entry = services.add_to_plan(user, module=module)
    return services.set_progress(entry, progress)


@pytest.fixture
def plans(catalogue):
    """Learners' plans on the university's module and on another provider's module."""
    done = make_user("lea.martin@example.org", first_name="Léa", last_name="Martin")
    started = make_user("paul.simon@example.org", first_name="Paul", last_name="Simon")
    elsewhere = make_user("ines.roy@example.org", first_name="Inès", last_name="Roy")
    return {
        "done": declare(done, catalogue["students"]),
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


def test_providers_see_only_completed_entries_of_their_own_modules(client, admin, plans):
    client.force_login(admin)
    page = client.get(completions_url()).content.decode()
    assert "Léa Martin" in page and "lea.martin@example.org" in page
    assert "paul.simon@example.org" not in page  # started, not completed
    assert "ines.roy@example.org" not in page  # another provider's module
    modules = client.get(reverse("training:provider_modules", args=["univ-test"]))
    assert "1 en attente" in modules.content.decode()


def test_a_provider_confirms_and_the_learner_sees_it(client, admin, plans):
    entry = plans["done"]
    client.force_login(admin)
    response = client.post(confirm_url(entry), {"confirmed": "1"})
    assert response.status_code == 302 and response.url.endswith("#module-cyber-etudiants")
    entry.refresh_from_db()
    assert entry.confirmed_by_provider
    assert "Confirmé" in client.get(completions_url()).content.decode()
    client.force_login(entry.user)
    plan = client.get(reverse("training:plan")).content.decode()
    assert "confirmé par l'organisme" in plan
    assert "voit votre nom et votre adresse e-mail" in plan  # the learner is told


def test_a_declared_completion_awaits_confirmation_in_the_plan(client, plans):
    client.force_login(plans["done"].user)
    plan = client.get(reverse("training:plan")).content.decode()
    assert "en attente de confirmation par l'organisme" in plan


def test_a_provider_withdraws_its_confirmation(client, admin, plans):
    entry = plans["done"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(admin)
    client.post(confirm_url(entry), {"confirmed": "0"})
    entry.refresh_from_db()
    assert not entry.confirmed_by_provider


def test_another_organisation_cannot_see_or_confirm(client, catalogue, plans):
    entry = plans["done"]
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
    assert client.post(confirm_url(plans["done"]), {"confirmed": "1"}).status_code == 403
    modules = client.get(reverse("training:provider_modules", args=["univ-test"]))
    assert completions_url() not in modules.content.decode()


def test_an_entry_that_is_not_completed_cannot_be_confirmed(client, admin, plans):
    client.force_login(admin)
    assert client.post(confirm_url(plans["started"]), {"confirmed": "1"}).status_code == 404
    plans["started"].refresh_from_db()
    assert not plans["started"].confirmed_by_provider


def test_un_completing_clears_the_confirmation_and_hides_the_learner(client, admin, plans):
    entry = plans["done"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(entry.user)
    client.post(reverse("training:update", args=[entry.pk]), {"progress": "started"})
    entry.refresh_from_db()
    assert entry.progress == "started" and not entry.confirmed_by_provider
    client.force_login(admin)
    assert "lea.martin" not in client.get(completions_url()).content.decode()
    # completed again: awaiting a new confirmation
    services.set_progress(entry, "completed")
    entry.refresh_from_db()
    assert entry.progress == "completed" and not entry.confirmed_by_provider


def test_saving_completed_again_keeps_the_confirmation_and_the_date(plans):
    entry = plans["done"]
    completed_at = entry.completed_at
    services.confirm_completion(entry, entry.module.provider)
    entry.refresh_from_db()
    services.set_progress(entry, "completed")
    entry.refresh_from_db()
    assert entry.confirmed_by_provider and entry.completed_at == completed_at


def test_the_api_clears_the_confirmation_too(client, plans):
    entry = plans["done"]
    services.confirm_completion(entry, entry.module.provider)
    client.force_login(entry.user)
    response = client.patch(
        f"/api/v1/training/plan/{entry.pk}",
        {"progress": "planned"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["confirmed_by_provider"] is False


def test_erased_learners_are_not_listed(client, admin, plans):
    erase_user(plans["done"].user)
    client.force_login(admin)
    page = client.get(completions_url()).content.decode()
    assert "erased.invalid" not in page and "Personne n'a encore" in page


def test_the_confirmation_page_reads_in_constant_queries(
    client, admin, catalogue, plans, django_assert_max_num_queries
):
    for number in range(5):
        declare(make_user(f"learner{number}@example.org"), catalogue["students"])
    client.force_login(admin)
    with django_assert_max_num_queries(8):
        assert client.get(completions_url()).status_code == 200
