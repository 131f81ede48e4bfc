import os

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LEVELS = {
    "D1": {"level": 3, "probability": 0.93},
    "D2": {"level": 2, "probability": 0.96},
    "D5": {"level": 4, "probability": 0.91},
}


def test_an_employer_types_a_certificate_code_and_sees_who_holds_which_levels(
    page, live_server, theme, framework
):
    session = make_session(make_centre(), framework)
    holder = make_user(first_name="Camille", last_name="Durand")
    certificate = make_certificate(make_candidate(session, holder), levels=LEVELS)
    revoked = make_certificate(
        make_candidate(session, make_user(first_name="Hugo", last_name="Bernard")),
        levels=LEVELS,
        revoked_at=timezone.now(),
    )
    shots = os.environ.get("PALIER_SCREENS_DIR")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/verifier/")
        assert_accessible(page)
        page.get_by_label("Code de vérification").fill(certificate.code.lower().replace("-", " "))
        page.get_by_role("button", name="Vérifier").click()
        page.wait_for_url(f"**/verifier/{certificate.code}")
        assert page.get_by_role("heading", level=1).inner_text() == "Vérification d'un certificat"
        assert page.get_by_text("Camille Durand").is_visible()
        assert page.get_by_role("table").get_by_text("Niveau 3 sur 5", exact=False).is_visible()
        assert_accessible(page)
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        if shots:
            page.screenshot(path=f"{shots}/verify-{theme}-{viewport['width']}.png", full_page=True)
        response = page.goto(f"{live_server.url}/verifier/{revoked.code}")
        assert response.status == 200 and page.get_by_text("Révoqué le").first.is_visible()
        assert_accessible(page)
        response = page.goto(f"{live_server.url}/verifier/P-2222AAAA")
        assert response.status == 404
        assert page.get_by_role("alert").get_by_text("Aucun certificat").is_visible()
        assert_accessible(page)
        if shots:
            page.screenshot(path=f"{shots}/verify-404-{theme}-{viewport['width']}.png")
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
