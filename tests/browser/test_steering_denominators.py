"""Denominators and targets in a real browser, in both themes, with axe at 1280 and 390 px:
an institution's admin imports a file of enrolled learners (dry run, confirmation, the table
with totals); steering adds a version to a target and enters a national total."""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.organisations.choices import MembershipRole
from palier.steering.models import Enrolment, NationalTotal, Target
from palier.steering.seed import load_target_seed
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_member, make_organisation, make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
]

PHONE_WIDTH = 390
FILE = (
    "public;annee_etudes;annee;inscrits\n"
    "soins-infirmiers;1;2025;112\n"
    "soins-infirmiers;2;2025;98\n"
    "soins-infirmiers;3;2025;87\n"
    "Études de médecine;1;2024;1 250\n"
)


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


def test_an_institution_imports_its_enrolled_learners(page, live_server, theme, framework):
    organisation = make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")
    make_member(organisation, MembershipRole.ADMIN, email="cadre@tilleuls.example")
    sign_in(page, live_server, "cadre@tilleuls.example")
    page.goto(live_server.url + reverse("steering_denominators:import", args=[organisation.slug]))
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "effectifs.csv", "mimeType": "text/csv", "buffer": FILE.encode()}],
    )
    page.get_by_role("button", name="Envoyer le fichier").click()
    page.get_by_text("Simulation réussie").wait_for()
    check_both_widths(page, f"denominators-dry-run-{theme}")
    assert Enrolment.objects.count() == 0
    page.get_by_role("button", name="Confirmer l'import").click()
    page.wait_for_url(f"**/organisations/{organisation.slug}/effectifs/")
    page.get_by_text("Import enregistré").wait_for()
    check_both_widths(page, f"denominators-table-{theme}")
    assert Enrolment.objects.filter(organisation=organisation).count() == 4


def test_steering_versions_a_target_and_enters_a_national_total(
    page, live_server, theme, framework
):
    load_target_seed()
    make_user("pilotage@example.org", roles=(Role.STEERING,))
    sign_in(page, live_server, "pilotage@example.org")
    page.goto(live_server.url + reverse("steering_denominators:targets"))
    check_both_widths(page, f"targets-{theme}")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("link", name="60 % des apprenants en santé").click()
    page.get_by_label("Valeur").fill("65")
    page.get_by_role("button", name="Enregistrer une nouvelle version").click()
    page.get_by_text("Version 2 enregistrée").wait_for()
    check_both_widths(page, f"target-{theme}")
    assert Target.objects.filter(code="apprenants-sante-60-pct-2025").count() == 2
    page.goto(live_server.url + reverse("steering_denominators:national_form"))
    page.get_by_label("Public", exact=True).select_option(label="Études de médecine")
    page.get_by_label("Apprenants", exact=True).fill("75000")
    page.get_by_role("textbox", name="Source La publication").fill("Enquête annuelle du ministère")
    page.get_by_role("textbox", name="Date de la source").fill("2026-06-30")
    page.get_by_role("button", name="Enregistrer l'effectif national").click()
    page.wait_for_url("**/pilotage/effectifs/")
    check_both_widths(page, f"national-{theme}")
    assert NationalTotal.objects.get().learners == 75000
