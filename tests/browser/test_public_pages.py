import pytest

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = [
    "/",
    "/en/",
    "/referentiel/sante-numerique/2026.1/",
    "/referentiel/sante-numerique/2026.1/D3/",
    "/referentiel/sante-numerique/2026.1/publics/",
    "/accessibilite/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/compte/connexion/",
    "/compte/mot-de-passe/",
]


def test_public_pages_have_no_accessibility_violations(page, live_server, theme, framework):
    for path in PAGES:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        assert_accessible(page)


def test_the_first_tab_reaches_the_skip_link_to_the_content(page, live_server, theme):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Aller au contenu"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#content"
