"""The supervision page in a real browser: the invigilator types the session's password,
reads the live list as cards on a wide and a narrow screen (no axe violation, no sideways
scroll), and the list follows the room by itself: a candidate who arrives and an alert
appear without a reload, and the alert is announced to screen readers. Then the centre's
admin reads the jury page, where a result waits for review."""

import os

import pytest
from django.urls import reverse

from palier.certification import services
from palier.certification.models import Incident
from palier.organisations.choices import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.certification.conftest import DEVICE, answer_current, started
from tests.certification.factories import (
    INVIGILATOR_PASSWORD,
    estimated_bank,
    make_candidate,
    make_centre,
    make_session,
)
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)


def test_the_invigilator_follows_the_room_on_the_live_list(page, live_server, theme, framework):
    from playwright.sync_api import expect

    estimated_bank(framework)
    session = make_session(make_centre(), framework)
    invigilator = make_user(f"surveillance.{theme}@example.org", roles=("invigilator",))
    session.invigilators.add(invigilator)
    writing = started(
        session,
        invigilator,
        user=make_user(first_name="Anne-Sophie", last_name="Delacroix-Fontaine"),
        extra_time_percent=33,
    )
    answer_current(writing)
    waiting = make_candidate(session, user=make_user(first_name="Karim", last_name="Benali"))
    services.join_session(waiting.user, session.access_code, DEVICE)
    late = make_candidate(session, user=make_user(first_name="Zoé", last_name="Martin"))

    sign_in(page, live_server, invigilator.email)
    page.goto(live_server.url + reverse("supervision:page", args=[session.pk]))
    assert_accessible(page)
    page.get_by_label("Mot de passe de surveillance").fill(INVIGILATOR_PASSWORD)
    page.get_by_role("button", name="Ouvrir la surveillance").click()
    expect(page.get_by_text(session.access_code, exact=True)).to_be_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.get_by_role("heading", name="Anne-Sophie Delacroix-Fontaine")).to_be_visible()
        if os.environ.get("SHOTS"):
            page.screenshot(
                path=f"{os.environ['SHOTS']}/supervision-{theme}-{width}.png", full_page=True
            )
        assert_accessible(page)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The room changes; the list follows without a reload.
    services.join_session(late.user, session.access_code, "late-device")
    alert = services.raise_alert(writing, DEVICE, "La question ne s'affiche pas")
    card = page.locator(f"#candidat-{late.pk}")
    expect(card).to_contain_text("Présent, en attente", timeout=15_000)
    expect(page.locator(f"#signalement-{alert.pk}")).to_be_visible()
    expect(page.locator("#supervision-announce")).to_contain_text("Nouveau signalement")
    assert_accessible(page)
    page.get_by_role("button", name="Valider le signalement").click()
    expect(page.get_by_text("signalement validé")).to_be_visible()
    page.get_by_role("button", name="Autoriser (Karim Benali)").click()
    expect(page.locator(f"#candidat-{waiting.pk}")).to_contain_text("Autorisé")

    # A technical incident, then the invigilator ends the test after confirming.
    services.add_incident(session, invigilator, Incident.Category.TECHNICAL, "Coupure", writing)
    page.get_by_role("link", name="Arrêter l'épreuve (Anne-Sophie Delacroix-Fontaine)").click()
    assert_accessible(page)
    page.get_by_role("button", name="Arrêter l'épreuve").click()
    expect(page.locator(f"#candidat-{writing.pk}")).to_contain_text("Arrêté par le surveillant")

    # The centre's admin reads the jury page: the short test waits for review.
    admin = make_member(session.centre.organisation, MembershipRole.ADMIN)
    page.context.clear_cookies()
    sign_in(page, live_server, admin.email)
    page.goto(live_server.url + reverse("supervision:jury", args=[session.pk]))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.get_by_role("heading", name="Examiner le résultat")).to_be_visible()
        if os.environ.get("SHOTS"):
            page.screenshot(path=f"{os.environ['SHOTS']}/jury-{theme}-{width}.png", full_page=True)
        assert_accessible(page)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
