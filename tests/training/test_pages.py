import pytest
from django.urls import reverse

from palier.training.models import PlanEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_public_catalogue_lists_published_modules_only(client, catalogue):
    content = client.get(reverse("training:catalogue")).content.decode()
    assert "Module cyber-etudiants" in content and "Module brouillon" not in content
    assert client.get(reverse("training:module", args=["brouillon"])).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("area=D5", {"telesante"}),
        ("route=dpc", {"cyber-pros"}),
        ("route=free", {"cyber-etudiants", "telesante"}),
        ("status=student", {"cyber-etudiants", "telesante"}),
        ("population=soins-infirmiers&area=D2", {"cyber-etudiants", "cyber-pros"}),
        ("max_hours=5", {"cyber-etudiants", "telesante"}),
        ("q=etudiants", {"cyber-etudiants"}),
    ],
)
def test_catalogue_filters(client, catalogue, query, expected):
    response = client.get(reverse("training:catalogue") + "?" + query)
    assert {card.module.code for card in response.context["cards"]} == expected


def test_invalid_filters_are_a_bad_request_with_a_form_error(client, catalogue):
    response = client.get(reverse("training:catalogue") + "?max_hours=-3&area=D9&route=bourse")
    assert response.status_code == 400
    assert {"max_hours", "area", "route"} <= set(response.context["form"].errors)


def test_a_learner_adds_a_module_and_marks_it_completed(client, catalogue, framework):
    user = make_user()
    client.force_login(user)
    client.post(reverse("training:add"), {"module": "cyber-etudiants"})
    client.post(reverse("training:add"), {"module": "cyber-etudiants"})  # twice: stored once
    entry = PlanEntry.objects.get(user=user)
    client.post(reverse("training:update", args=[entry.pk]), {"progress": "completed"})
    entry.refresh_from_db()
    assert entry.progress == "completed" and entry.completed_at
    page = client.get(reverse("training:plan")).content.decode()
    assert "passez le test de positionnement pour mesurer votre niveau" in page  # no test yet
    assert "3 h" in page


@pytest.mark.parametrize(
    "data",
    [{"module": "brouillon"}, {"module": "nope"}, {}, {"module": "cyber-pros", "resource": "x"}],
)
def test_invalid_additions_store_nothing(client, catalogue, data):
    client.force_login(make_user())
    client.post(reverse("training:add"), data)
    assert PlanEntry.objects.count() == 0


def test_plan_entries_are_private(client, catalogue):
    owner = make_user()
    client.force_login(owner)
    client.post(reverse("training:add"), {"module": "cyber-pros"})
    entry = PlanEntry.objects.get()
    client.force_login(make_user())
    response = client.post(reverse("training:update", args=[entry.pk]), {"progress": "completed"})
    assert response.status_code == 404
    entry.refresh_from_db()
    assert entry.progress == "planned"


def test_a_bad_progress_value_changes_nothing(client, catalogue):
    client.force_login(make_user())
    client.post(reverse("training:add"), {"module": "cyber-pros"})
    entry = PlanEntry.objects.get()
    client.post(reverse("training:update", args=[entry.pk]), {"progress": "teleported"})
    entry.refresh_from_db()
    assert entry.progress == "planned"


def test_the_provider_page_reads_its_description_in_the_visitors_language(client, catalogue):
    provider = catalogue["university"]
    provider.description_fr, provider.description_en = "Université fictive.", "A fictitious one."
    provider.save()
    assert (
        "Université fictive."
        in client.get(reverse("training:provider", args=["univ-test"])).content.decode()
    )
    assert (
        "A fictitious one."
        in client.get("/en" + reverse("training:provider", args=["univ-test"])).content.decode()
    )
    assert client.get(reverse("training:provider", args=["nobody"])).status_code == 404
