"""Issue 7's journey in a real browser, in both themes, with axe on every page:
staff create a campaign, a learner joins with the code, finishes the test and shares,
staff see the result in the dashboard and download the export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from palier.assessments.services import record_answer
from palier.campaigns.models import Campaign, Participation
from palier.organisations.choices import MembershipRole
from tests.assessments.conftest import right_answer
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_member, make_organisation, make_user
from tests.support.seeds import load_item_seed

pytestmark = pytest.mark.django_db(transaction=True)


def sign_out(page) -> None:
    page.context.clear_cookies()


def test_campaign_from_creation_to_export(page, live_server, theme, framework):
    load_item_seed(framework)
    organisation = make_organisation("IFSI du Val", slug="ifsi-du-val")
    make_member(organisation, MembershipRole.ADMIN, email="cadre@ifsi-du-val.example")
    make_user("lou@example.org", first_name="Lou", last_name="Garnier")
    base = live_server.url

    # Staff create the campaign.
    sign_in(page, live_server, "cadre@ifsi-du-val.example")
    page.goto(f"{base}/compte/organisations/{organisation.slug}/")
    assert_accessible(page)
    page.get_by_role("link", name="Créer une campagne").click()
    assert_accessible(page)
    page.get_by_label("Nom").fill("Positionnement S3")
    page.get_by_label("Objet").fill("Situer la promotion avant l'unité d'enseignement numérique.")
    # Through the labels: the State theme draws its own radio buttons and boxes over them.
    page.locator("label", has_text="Collecte de résultats existants").click()
    page.locator("label", has_text="Test de positionnement").click()
    for number in (0, 2, 3, 4):
        page.locator(f"label[for=id_areas_{number}]").click()
    today = timezone.localdate()
    page.get_by_label("Ouverture").fill(today.isoformat())
    page.get_by_label("Clôture").fill((today + timedelta(days=30)).isoformat())
    page.get_by_label("Identifiant demandé aux apprenants").fill("Numéro étudiant")
    page.get_by_role("button", name="Enregistrer la campagne").click()
    page.wait_for_load_state()
    assert Campaign.objects.exists(), page.locator("#form-errors").inner_text()
    campaign = Campaign.objects.get()
    assert campaign.areas == ["D2"]
    assert campaign.display_code in page.content()
    assert_accessible(page)

    # A learner joins with the code, takes the test and shares.
    sign_out(page)
    sign_in(page, live_server, "lou@example.org")
    page.goto(f"{base}/campagnes/")
    assert_accessible(page)
    page.get_by_label("Code de la campagne").fill(campaign.display_code.lower())
    page.get_by_role("button", name="Voir la campagne").click()
    page.wait_for_url(f"**/campagnes/rejoindre/{campaign.code}/")
    assert page.get_by_text("IFSI du Val").first.is_visible()
    assert_accessible(page)
    page.get_by_label("Numéro étudiant").fill("2026-0042")
    page.get_by_role("button", name="Participer à la campagne").click()
    page.wait_for_url("**/campagnes/participation/*/")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer le test").click()
    page.wait_for_url("**/positionnement/*/")
    assert_accessible(page)
    entry = Participation.objects.get()
    attempt = entry.attempt
    for _ in range(60):  # the rest of the test through the service, to keep the run short
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
    page.goto(f"{base}/positionnement/{attempt.pk}/resultat/")
    page.get_by_role("link", name="Choisir de partager ou non ce résultat").click()
    page.wait_for_url("**/campagnes/participation/*/")
    assert_accessible(page)
    page.get_by_role("button", name="Partager avec IFSI du Val").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Ce que vous avez partagé").is_visible()
    assert_accessible(page)
    entry.refresh_from_db()
    assert entry.status == Participation.Status.SHARED

    # Staff see the result and download the export.
    sign_out(page)
    sign_in(page, live_server, "cadre@ifsi-du-val.example")
    page.goto(f"{base}/organisations/{organisation.slug}/campagnes/{campaign.pk}/")
    assert_accessible(page)
    page.goto(f"{base}/organisations/{organisation.slug}/campagnes/{campaign.pk}/participants/")
    assert page.get_by_text("Garnier").first.is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Garnier").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
    page.goto(f"{base}/organisations/{organisation.slug}/")
    assert_accessible(page)
    page.goto(f"{base}/organisations/{organisation.slug}/campagnes/{campaign.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").first.click()
    content = open(download_info.value.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))  # French spreadsheets
    level = entry.snapshot["areas"]["D2"]["level"]
    assert any(
        "2026-0042" in row and any(cell.startswith(f"{level} \N{EN DASH} ") for cell in row)
        for row in rows[1:]
    ), rows
