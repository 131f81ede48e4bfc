"""The training manager's follow-up in a real browser, in both themes, with axe at 1280 and
390 px on every page: the participants' list, a search, a participant's page, then the
campaign's dashboard filtered on a group of learners."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from palier.campaigns.generate import generate_participants
from palier.campaigns.group_services import add_members
from palier.campaigns.models import Participation
from palier.campaigns.services import create_campaign
from palier.organisations.choices import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.campaigns.conftest import campaign_fields
from tests.factories import make_member, make_organisation

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def check_both_widths(page, name: str) -> None:
    """axe at 1280 px, then at 390 px where the page must not scroll sideways."""
    page.set_viewport_size({"width": 1280, "height": 900})
    assert_accessible(page)
    shots = os.environ.get("SHOTS")
    if shots:
        page.screenshot(path=f"{shots}/{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{page.url} is {width} px wide at {PHONE_WIDTH} px"
    if shots:
        page.screenshot(path=f"{shots}/{name}-390.png", full_page=True)
    assert_accessible(page)


def test_participants_search_participant_page_and_group_dashboard(
    page, live_server, theme, framework
):
    organisation = make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")
    make_member(organisation, MembershipRole.ADMIN, email="cadre@tilleuls.example")
    campaign = create_campaign(organisation, None, campaign_fields())
    generate_participants(campaign, 40, seed=4)
    shared = list(
        Participation.objects.filter(campaign=campaign, status="shared")
        .select_related("user")
        .order_by("pk")
    )
    target = shared[0]
    add_members(organisation, [(p.user.email, "Promotion 2026") for p in shared[:8]])
    sign_in(page, live_server, "cadre@tilleuls.example")

    # The participants' list, then a search by external id... or name.
    page.goto(
        live_server.url
        + reverse("organisations:participants", args=[organisation.slug, campaign.pk])
    )
    check_both_widths(page, f"{theme}-participants")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("searchbox", name="Rechercher").fill(target.user.email)
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**q=*")
    assert page.get_by_text("1 participant correspond à votre recherche.").is_visible()

    # The participant's page: shared result, groups, other campaigns.
    page.locator("table.dash-table").first.get_by_role("link").first.click()
    page.wait_for_url(f"**/participants/{target.pk}/")
    assert page.get_by_role("heading", name="Niveau par domaine").is_visible()
    assert page.get_by_text("Membre de : Promotion 2026.").is_visible()
    check_both_widths(page, f"{theme}-participant")

    # The dashboard, restricted to the group.
    page.goto(
        live_server.url + reverse("organisations:dashboard", args=[organisation.slug, campaign.pk])
    )
    page.get_by_label("Groupe").select_option(label="Promotion 2026")
    page.locator("#group-filter + form").get_by_role("button", name="Afficher").click()
    page.wait_for_url("**groupe=*")
    assert page.get_by_text("Chiffres du groupe « Promotion 2026 »").is_visible()
    check_both_widths(page, f"{theme}-dashboard-group")


def test_learner_list_checked_then_confirmed_and_its_groups(
    page, live_server, theme, framework, tmp_path
):
    """The import's dry run, confirmed without choosing the file again (the campaign's own
    name for the external id as a header, a "groupe" column), then the groups' page."""
    organisation = make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")
    make_member(organisation, MembershipRole.ADMIN, email="cadre@tilleuls.example")
    campaign = create_campaign(organisation, None, campaign_fields(external_id_label="N° étudiant"))
    learners = tmp_path / "liste.csv"
    learners.write_text(
        "nom;prénom;e-mail;N° étudiant;groupe\n"
        "Martin;Élodie;elodie.martin@example.org;20260001;Promotion 2026\n"
        "Durand;Théo;theo.durand@example.org;20260002;Promotion 2026\n"
    )
    sign_in(page, live_server, "cadre@tilleuls.example")
    page.goto(
        live_server.url
        + reverse("organisations:expected_import", args=[organisation.slug, campaign.pk])
    )
    page.get_by_label("Fichier CSV des apprenants attendus").set_input_files(str(learners))
    page.get_by_role("button", name="Envoyer le fichier").click()
    confirm = page.get_by_role("button", name="Confirmer l'import")
    confirm.wait_for()
    check_both_widths(page, f"{theme}-import")
    page.set_viewport_size({"width": 1280, "height": 900})
    confirm.click()
    page.get_by_text("Import enregistré : 2 apprenants ajoutés").wait_for()

    page.goto(live_server.url + reverse("organisations:groups", args=[organisation.slug]))
    assert page.get_by_role("heading", name="Promotion 2026").is_visible()
    page.locator("summary").first.click()
    check_both_widths(page, f"{theme}-groups")
