"""Learner pages and the staff campaign form, through the test client."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.campaigns.models import Campaign, Participation
from tests.assessments.conftest import seeded  # noqa: F401  (fixture)
from tests.campaigns.test_services import finish
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_code_form_leads_to_the_campaign_and_wrong_codes_get_a_form_error(client, campaign):
    client.force_login(make_user())
    page = client.post(reverse("campaigns:mine"), {"code": "zzz-zzz-zzz"})
    assert page.status_code == 404
    assert "ne correspond à aucune campagne" in page.content.decode()
    page = client.post(reverse("campaigns:mine"), {"code": campaign.display_code.lower()})
    assert page.status_code == 302
    assert page["Location"] == reverse("campaigns:join", args=[campaign.code])


def test_join_page_says_who_asks_and_what_is_shared(client, campaign):
    campaign.populations.set([campaign.target_population])
    client.force_login(make_user())
    page = client.get(reverse("campaigns:join", args=[campaign.code]))
    body = page.content.decode()
    assert campaign.organisation.name in body
    assert campaign.purpose in body
    assert "Ce que l'organisme verra" in body
    assert "Jamais : vos réponses" in body
    assert "Publics concernés" in body and "Formation en soins infirmiers" in body


def test_join_asks_the_external_id_and_stores_nothing_without_it(client, make_campaign):
    campaign = make_campaign(external_id_label="Numéro étudiant")
    client.force_login(make_user())
    url = reverse("campaigns:join", args=[campaign.code])
    page = client.post(url, {"external_id": ""})
    assert page.status_code == 200
    assert "Numéro étudiant" in page.content.decode()
    assert not Participation.objects.exists()
    page = client.post(url, {"external_id": "E-42"})
    entry = Participation.objects.get()
    assert page["Location"] == reverse("campaigns:participation", args=[entry.pk])
    assert entry.external_id == "E-42"


def test_full_learner_flow_through_pages(client, seeded, campaign):  # noqa: F811
    user = make_user()
    client.force_login(user)
    client.post(reverse("campaigns:join", args=[campaign.code]))
    entry = Participation.objects.get(user=user)
    page = client.post(reverse("campaigns:participation", args=[entry.pk]), {"action": "start"})
    entry.refresh_from_db()
    assert page["Location"] == reverse("assessments:question", args=[entry.attempt_id])
    finish(entry.attempt)
    result = client.get(reverse("assessments:result", args=[entry.attempt_id]))
    assert reverse("campaigns:participation", args=[entry.pk]) in result.content.decode()
    page = client.get(reverse("campaigns:participation", args=[entry.pk]))
    assert "Partager votre résultat ?" in page.content.decode()
    client.post(reverse("campaigns:participation", args=[entry.pk]), {"action": "share"})
    entry.refresh_from_db()
    assert entry.status == Participation.Status.SHARED
    assert not entry.plan_shared
    page = client.get(reverse("campaigns:participation", args=[entry.pk]))
    assert "Niveaux partagés" in page.content.decode()


def test_unknown_action_changes_nothing(client, campaign):
    user = make_user()
    client.force_login(user)
    client.post(reverse("campaigns:join", args=[campaign.code]))
    entry = Participation.objects.get(user=user)
    client.post(reverse("campaigns:participation", args=[entry.pk]), {"action": "share"})
    entry.refresh_from_db()
    assert entry.status == Participation.Status.JOINED


def test_participations_and_sharing_are_private(client, campaign):
    owner = make_user()
    client.force_login(owner)
    client.post(reverse("campaigns:join", args=[campaign.code]))
    entry = Participation.objects.get(user=owner)
    client.force_login(make_user())
    assert client.get(reverse("campaigns:participation", args=[entry.pk])).status_code == 404
    url = reverse("campaigns:sharing", args=[campaign.organisation_id])
    assert client.post(url).status_code == 404
    client.logout()
    page = client.get(reverse("campaigns:participation", args=[entry.pk]))
    assert page.status_code == 302 and "connexion" in page["Location"]


def test_stop_and_resume_sharing_from_my_campaigns(client, campaign):
    user = make_user()
    client.force_login(user)
    client.post(reverse("campaigns:join", args=[campaign.code]))
    url = reverse("campaigns:sharing", args=[campaign.organisation_id])
    client.post(url, {"action": "stop"})
    page = client.get(reverse("campaigns:mine"))
    assert "partage arrêté" in page.content.decode()
    client.post(url, {"action": "resume"})
    assert "partage possible" in client.get(reverse("campaigns:mine")).content.decode()


def campaign_post(**overrides):
    today = timezone.localdate()
    data = {
        "name": "Rentrée 2026",
        "purpose": "Situer les étudiants de deuxième année.",
        "kind": "assessment",
        "areas": ["D2", "D5"],
        "target_population": "",
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=20)).isoformat(),
        "external_id_label": "Numéro étudiant",
        "sharing": "consent",
    }
    data.update(overrides)
    return data


def test_admin_creates_a_campaign(client, org, org_admin):
    client.force_login(org_admin)
    url = reverse("organisations:campaign_create", args=[org.slug])
    assert client.get(url).status_code == 200
    page = client.post(url, campaign_post())
    campaign = Campaign.objects.get()
    assert page["Location"] == reverse("organisations:dashboard", args=[org.slug, campaign.pk])
    assert campaign.areas == ["D2", "D5"]
    assert campaign.created_by == org_admin


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"areas": []}, "areas"),
        ({"areas": ["D9"]}, "areas"),
        ({"closes_on": "2020-01-01", "opens_on": "2020-02-01"}, "closes_on"),
        ({"closes_on": "pas une date"}, "closes_on"),
        ({"kind": "exam"}, "kind"),
        ({"name": "x" * 201}, "name"),
        ({"target_population": "999999"}, "target_population"),
    ],
)
def test_bad_campaign_input_gets_field_errors_and_stores_nothing(
    client, org, org_admin, overrides, field
):
    client.force_login(org_admin)
    page = client.post(
        reverse("organisations:campaign_create", args=[org.slug]), campaign_post(**overrides)
    )
    assert page.status_code == 200
    assert field in page.context["form"].errors
    assert not Campaign.objects.exists()


def test_members_cannot_create_or_edit_and_outsiders_do_not_see(
    client, org, org_member, outsider, campaign
):
    create = reverse("organisations:campaign_create", args=[org.slug])
    edit = reverse("organisations:campaign_edit", args=[org.slug, campaign.pk])
    client.force_login(org_member)
    assert client.get(create).status_code == 403
    assert client.post(edit, campaign_post()).status_code == 403
    client.force_login(outsider)
    assert client.get(create).status_code == 404
    assert client.get(edit).status_code == 404
    assert (
        client.get(reverse("organisations:campaign_qr", args=[org.slug, campaign.pk])).status_code
        == 404
    )
    campaign.refresh_from_db()
    assert campaign.name != "Rentrée 2026"


def test_qr_code_encodes_the_join_link(client, org, org_member, campaign):
    client.force_login(org_member)
    page = client.get(reverse("organisations:campaign_qr", args=[org.slug, campaign.pk]))
    assert page["Content-Type"] == "image/svg+xml"
    assert page.content.startswith(b"<svg")
    assert b"<title>" in page.content


def test_admin_edits_dates(client, org, org_admin, campaign):
    client.force_login(org_admin)
    closes = timezone.localdate() + timedelta(days=90)
    page = client.post(
        reverse("organisations:campaign_edit", args=[org.slug, campaign.pk]),
        campaign_post(areas=campaign.areas, closes_on=closes.isoformat()),
    )
    assert page.status_code == 302
    campaign.refresh_from_db()
    assert campaign.closes_on == closes
