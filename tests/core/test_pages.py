import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
PAGES = [
    "platform:home",
    "core:accessibility",
    "core:legal_notice",
    "core:personal_data",
    "accounts:signup",
    "accounts:login",
    "accounts:password_reset",
]


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_public_pages_render_in_both_themes_with_security_headers(client, settings, name, theme):
    settings.PALIER_THEME = theme
    response = client.get(reverse(name))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'href="#content"' in content and 'id="content"' in content
    assert ("fr-header" in content) == (theme == "dsfr")
    assert response["X-Frame-Options"] == "DENY"
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_the_home_page_explains_the_service_and_lists_the_five_areas(client, framework):
    content = client.get("/").content.decode()
    assert "test de positionnement adaptatif" in content
    assert content.count('class="card') == 5


def test_the_language_switcher_turns_the_site_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/en/"
    content = client.get("/en/").content.decode()
    assert '<html lang="en">' in content
    assert "Create an account" in content


def test_dsfr_assets_come_from_our_own_origin_as_the_csp_requires(client, settings):
    settings.PALIER_THEME = "dsfr"
    content = client.get("/").content.decode()
    assert 'src="/static/dsfr/dist/dsfr/dsfr.module.min.js"' in content
    assert "https://" not in content.split("<body>")[0]


def test_an_unknown_language_is_ignored_and_the_site_stays_in_french(client):
    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    assert response.status_code == 302
    assert '<html lang="fr">' in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("roles", "links"),
    [
        ((), set()),
        (("author",), {"/auteur/"}),
        (("steering",), {"/pilotage/"}),
        (("funder",), {"/pilotage/"}),
        (("administrator",), {"/auteur/", "/pilotage/", "/gestion/"}),
    ],
)
def test_the_menu_offers_each_role_its_tools(client, roles, links):
    from tests.factories import make_user

    client.force_login(make_user(roles=roles))
    content = client.get("/").content.decode()
    for path in ("/auteur/", "/pilotage/", "/gestion/"):
        assert (f'href="{path}"' in content) == (path in links), path
