"""The journey in a real browser: the login page's Pro Santé Connect button, the provider's
page, and the page that links an existing account with its password, in both themes, at
1280 and 390 px."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, make_user

# The provider and its configuration (tests/integrations/oidc), for this one journey.
from tests.integrations.oidc.conftest import national_login, provider  # noqa: F401

pytestmark = pytest.mark.browser

NARROW, WIDE = 390, 1280


def check_both_widths(page) -> None:
    for width in (WIDE, NARROW):
        page.set_viewport_size({"width": width, "height": 900})
        assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= NARROW


def test_signing_in_with_the_national_login_links_an_existing_account(
    page, live_server, theme, settings, national_login  # noqa: F811
):
    settings.BASE_URL = live_server.url
    make_user("camille.martin@example.org")
    national_login.set_user(
        "psc-browser", {"email": "camille.martin@example.org", "given_name": "Camille"}
    )
    page.goto(f"{live_server.url}/compte/connexion/")
    check_both_widths(page)
    page.get_by_role("link", name="Se connecter avec Pro Santé Connect").click()

    # The provider's own page (not Palier's: not checked for accessibility here).
    page.wait_for_url(f"{national_login.issuer}/**")
    page.locator("input[name=sub]").fill("psc-browser")
    page.get_by_role("button", name="Authorize").click()

    page.wait_for_url("**/compte/connexion-externe/relier/")
    check_both_widths(page)
    page.get_by_label("Mot de passe de votre compte Palier").fill(PASSWORD)
    page.get_by_role("button", name="Relier et me connecter").click()
    page.wait_for_url("**/mon-espace/")
