"""The personalised catalogue: filtered by default to the learner's situation, filters open,
labels only when they are true (docs/training.md, "Personalised catalogue")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.frameworks.models import Population
from palier.training.models import Module, ModuleSession
from tests.factories import make_user
from tests.training.conftest import make_module

pytestmark = pytest.mark.django_db

EVERY_PUBLISHED = {
    "cyber-etudiants",
    "cyber-pros",
    "telesante",
    "dpc-ouvert",
    "atelier-rennes",
    "atelier-paris",
}


@pytest.fixture
def catalogue_with_regions(catalogue):
    """The test catalogue, plus a paid DPC course open to every status and two face-to-face
    workshops, one in Brittany (53), one in Île-de-France (11)."""
    make_module(
        "dpc-ouvert", catalogue["private"], ["D2.C1.1"], funding_routes="dpc", price_cents=42000
    )
    today = timezone.localdate()
    for code, region in (("atelier-rennes", "53"), ("atelier-paris", "11")):
        workshop = make_module(
            code, catalogue["private"], ["D5.C1.1"], format=Module.Format.FACE_TO_FACE
        )
        ModuleSession.objects.create(
            module=workshop,
            start=today + timedelta(days=30),
            end=today + timedelta(days=31),
            place="Salle 1",
            region=region,
        )
    return catalogue


def learner(status: str = "", population: str | None = None, region: str = ""):
    user = make_user()
    user.profile.status = status
    user.profile.population = Population.objects.filter(code=population).first()
    user.profile.region = region
    user.profile.save()
    return user


def shown(response) -> dict[str, list[str]]:
    """Module code -> the labels its card shows."""
    return {card.module.code: card.reasons for card in response.context["cards"]}


def test_a_nursing_student_sees_the_offers_that_fit_them_by_default(client, catalogue_with_regions):
    client.force_login(learner("student", "soins-infirmiers", "53"))
    response = client.get(reverse("training:catalogue"))
    cards = shown(response)
    # not the professionals' course, not a paid DPC course, not a workshop in another region
    assert set(cards) == {"cyber-etudiants", "telesante", "atelier-rennes"}
    assert cards["cyber-etudiants"] == ["status", "population"]
    assert cards["telesante"] == ["status"]  # open to all: fits, but names no curriculum
    assert response.context["personalised"]
    content = response.content.decode()
    assert "Formations choisies pour votre situation :" in content
    assert "Formation en soins infirmiers" in content and "Bretagne" in content
    assert 'href="?tout=1">Voir toutes les formations' in content
    assert content.count("adapté à votre situation") == 3  # one per card
    # the filters show the situation and stay open to change
    form = response.context["form"]
    assert (form["status"].value(), form["region"].value()) == ("student", "53")


def test_all_offers_are_one_click_away_and_keep_only_the_true_labels(
    client, catalogue_with_regions
):
    client.force_login(learner("student", "soins-infirmiers", "53"))
    response = client.get(reverse("training:catalogue") + "?tout=1")
    cards = shown(response)
    assert set(cards) == EVERY_PUBLISHED
    assert not response.context["personalised"]
    assert cards["cyber-pros"] == [] and cards["dpc-ouvert"] == []
    assert cards["cyber-etudiants"] == ["status", "population"]
    assert "Revenir aux formations choisies pour ma situation" in response.content.decode()


def test_a_practising_professional_in_a_region_sees_funded_offers_and_local_sessions(
    client, catalogue_with_regions
):
    client.force_login(learner("self_employed", region="11"))
    cards = shown(client.get(reverse("training:catalogue")))
    assert set(cards) == {"cyber-pros", "telesante", "dpc-ouvert", "atelier-paris"}
    assert all(reasons == ["status"] for reasons in cards.values())


def test_an_anonymous_visitor_sees_the_whole_catalogue_without_labels(
    client, catalogue_with_regions
):
    response = client.get(reverse("training:catalogue"))
    assert set(shown(response)) == EVERY_PUBLISHED
    assert all(reasons == [] for reasons in shown(response).values())
    content = response.content.decode()
    assert not response.context["personalised"]
    assert "adapté à votre" not in content and "choisies pour" not in content
    assert "<summary>Filtrer</summary>" in content


def test_a_profile_without_curriculum_filters_on_what_it_tells(client, catalogue_with_regions):
    client.force_login(learner())  # nothing told yet: the whole catalogue, no label
    response = client.get(reverse("training:catalogue"))
    assert set(shown(response)) == EVERY_PUBLISHED and not response.context["personalised"]
    assert "adapté à votre" not in response.content.decode()

    client.force_login(learner("public_sector"))  # a status, no curriculum, no region
    cards = shown(client.get(reverse("training:catalogue")))
    assert set(cards) == {
        "cyber-pros",
        "telesante",
        "dpc-ouvert",
        "atelier-rennes",
        "atelier-paris",
    }
    assert "population" not in {reason for reasons in cards.values() for reason in reasons}


def test_a_learner_who_changes_the_filters_gets_their_choice(client, catalogue_with_regions):
    client.force_login(learner("student", "soins-infirmiers", "53"))
    response = client.get(reverse("training:catalogue") + "?status=&region=11&population=")
    assert set(shown(response)) == EVERY_PUBLISHED - {"atelier-rennes"}
    assert response.context["filters_active"] == 1
    assert "(1 filtre actif)" in response.content.decode()


def test_a_region_filter_keeps_distance_modules_and_drops_ended_sessions(
    client, catalogue_with_regions
):
    session = ModuleSession.objects.get(module__code="atelier-rennes")
    session.start = session.end = timezone.localdate() - timedelta(days=3)
    session.save()
    cards = shown(client.get(reverse("training:catalogue") + "?region=53"))
    assert set(cards) == {"cyber-etudiants", "cyber-pros", "telesante", "dpc-ouvert"}


def test_every_offer_is_reachable_page_by_page_with_the_filters_kept(
    client, catalogue_with_regions, monkeypatch
):
    from palier.training import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(learner("self_employed", region="11"))
    first = client.get(reverse("training:catalogue"))
    assert first.context["count"] == 4 and len(first.context["cards"]) == 2
    content = first.content.decode()
    assert "Page 1 sur 2" in content
    assert "region=11&amp;status=self_employed&amp;page=2" in content
    second = client.get(reverse("training:catalogue") + "?status=self_employed&region=11&page=2")
    seen = set(shown(first)) | set(shown(second))
    assert seen == {"cyber-pros", "telesante", "dpc-ouvert", "atelier-paris"}
