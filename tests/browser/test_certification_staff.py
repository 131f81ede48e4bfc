"""A centre's admin schedules a session and enrols a candidate, in a real browser: both
themes, axe at 1280 and 390 px, no sideways scrolling on a phone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.accounts.roles import Role
from palier.certification.models import Candidate, Session
from palier.organisations.choices import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.certification.factories import make_centre
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db(transaction=True)
WIDE, PHONE = 1280, 390


def check_widths(page) -> None:
    for width in (WIDE, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.set_viewport_size({"width": WIDE, "height": 900})


def test_an_admin_schedules_a_session_and_enrols_a_candidate(page, live_server, theme, framework):
    centre = make_centre(make_organisation("Centre d'examen de Lyon", slug="centre-lyon"))
    make_member(centre.organisation, MembershipRole.ADMIN, email="centre@example.org")
    make_user(email="lea.petit@example.org", roles=(Role.INVIGILATOR,))
    make_user(email="lina.roux@example.org", first_name="Lina", last_name="Roux")
    sign_in(page, live_server, "centre@example.org")

    page.goto(f"{live_server.url}/organisations/centre-lyon/certification/")
    check_widths(page)
    page.get_by_role("link", name="Programmer une session").click()
    check_widths(page)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_label("Heure de début").fill("09:30")
    page.get_by_label("Salle").fill("Salle B12")
    page.get_by_label("Adresse", exact=False).first.fill("3 avenue des Facultés, 69007 Lyon")
    page.get_by_label("Nombre de candidats attendus").fill("12")
    page.get_by_label("Surveillants (adresses e-mail)").fill("lea.petit@example.org")
    page.get_by_label("Mot de passe de la page de surveillance").fill("salle-B-surveillance")
    page.get_by_role("button", name="Enregistrer la session").click()
    page.wait_for_load_state()
    session = Session.objects.get()
    assert page.get_by_text(session.access_code).first.is_visible()
    check_widths(page)

    page.get_by_label("Adresse e-mail du candidat").fill("lina.roux@example.org")
    page.get_by_label("Temps supplémentaire (%)").fill("33")
    page.get_by_role("button", name="Inscrire le candidat").click()
    page.wait_for_load_state()
    assert Candidate.objects.get(session=session).extra_time_percent == 33
    assert page.get_by_role("cell", name="lina.roux@example.org").is_visible()
    check_widths(page)
