"""The national dashboard in a real browser, in both themes, at 1280 and 390 px: 0 axe
violations, no sideways scrolling on a phone, a tile of the map leads to its region's row."""

import os

import pytest

from palier.accounts.roles import Role
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.steering.test_views import dashboard_country

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)


def test_the_national_dashboard_is_accessible_and_fits_a_phone(page, live_server, theme, framework):
    dashboard_country()
    make_user("pilotage@palier.example", roles=(Role.STEERING,))
    sign_in(page, live_server, "pilotage@palier.example")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/pilotage/?annee=2025")
        assert page.locator("h1").inner_text() == "Pilotage national"
        if os.environ.get("SHOTS"):
            page.screenshot(path=f"{os.environ['SHOTS']}/{theme}-{width}.png", full_page=True)
        assert_accessible(page)
        if width == 390:
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("link", name="Bretagne").first.click()
    assert page.url.endswith("#regions-53")
