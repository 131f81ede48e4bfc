"""The standard-setting workspace in a real browser: a panellist places bookmarks with the
keyboard, the psychometrician reads the results; axe checks each page on a desktop and a
phone width."""

from __future__ import annotations

import pytest

from palier.psychometrics.standard_setting import close_round
from tests.browser.conftest import assert_accessible, sign_in
from tests.psychometrics import test_standard_setting as shared
from tests.psychometrics.test_standard_setting import PAGES, bookmark_all

# The service tests' fixtures, shared.
area, bank, calibration = shared.area, shared.bank, shared.calibration
panellists, psychometrician, study = shared.panellists, shared.psychometrician, shared.study

# The workspace's URLs (see tests/psychometrics/test_standard_setting_pages.py).
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.psychometrics.test_standard_setting_pages"),
]
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


# Both widths in the neutral theme; the State theme where its tables scroll, on a phone.
@pytest.mark.parametrize(
    ("width", "theme"), [("desktop", "neutral"), ("phone", "neutral"), ("phone", "dsfr")]
)
def test_a_panellist_bookmarks_with_the_keyboard_and_every_page_is_accessible(
    page, live_server, settings, study, panellists, psychometrician, width, theme
):
    settings.PALIER_THEME = theme
    page.set_viewport_size(dict(zip(("width", "height"), WIDTHS[width], strict=True)))
    base = f"{live_server.url}/psychometrie/seuils/{study.pk}"
    sign_in(page, live_server, panellists[0].email)
    for path in ("/", "/livret/", "/livret/1/", "/resultats/"):
        assert page.goto(base + path).status == 200, path
        assert_accessible(page)

    page.goto(base + "/marque-pages/")
    assert_accessible(page)
    # Keyboard only: focus the first page field, type, Tab to the next ones, Enter to send;
    # pages that do not increase come back as a form error, announced and linked.
    page.get_by_label("Début du niveau 2", exact=False).focus()
    for number in ("3", "2", "5", "7"):
        page.keyboard.type(number)
        page.keyboard.press("Tab")
    page.get_by_label("Début du niveau 5", exact=False).press("Enter")
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert "doivent avancer" in page.get_by_role("alert").inner_text()
    assert_accessible(page)
    page.get_by_label("Début du niveau 2", exact=False).fill("2")
    page.get_by_label("Début du niveau 3", exact=False).fill("3")
    page.get_by_label("Début du niveau 5", exact=False).press("Enter")
    page.wait_for_url(f"{base}/")
    assert study.bookmarks.filter(panellist=panellists[0]).count() == 4

    # The psychometrician closes the round and reads the results: chart and tables.
    bookmark_all(study, panellists[1:], PAGES[1:])
    close_round(study, psychometrician)
    page.context.clear_cookies()
    sign_in(page, live_server, psychometrician.email)
    for path in ("/", "/resultats/", "/adopter/", "/../nouvelle/"):
        assert page.goto(base + path).status == 200, path
        assert_accessible(page)
    page.goto(base + "/resultats/")
    assert page.locator("svg[role=img]").count() >= 1
