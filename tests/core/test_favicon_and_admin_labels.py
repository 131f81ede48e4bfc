"""Every page has a favicon, and the management site's column headers are translatable."""

import pytest
from django.apps import apps
from django.contrib.staticfiles import finders
from django.utils.functional import Promise

from palier.core.views import FAVICON
from tests.factories import make_user


def test_favicon_ico_leads_to_the_svg_icon_that_exists(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(FAVICON)
    assert finders.find(FAVICON)


@pytest.mark.django_db
@pytest.mark.parametrize("theme", ["neutral", "dsfr"])
def test_both_themes_link_an_icon(client, settings, theme):
    settings.PALIER_THEME = theme
    assert 'rel="icon"' in client.get("/").content.decode()


@pytest.mark.parametrize("label", ["accounts", "organisations", "frameworks"])
def test_every_field_label_is_translatable(label):
    plain = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert not plain, f"labels not marked for translation: {plain}"


@pytest.mark.django_db
def test_the_management_site_shows_french_column_headers(client, framework):
    admin = make_user(roles=("administrator",), is_staff=True, is_superuser=True)
    client.force_login(admin)
    content = client.get("/gestion/accounts/roleassignment/").content.decode()
    if "Attribué le" not in content:  # not registered on its own: the profile list then
        content = client.get("/gestion/accounts/learnerprofile/").content.decode()
        assert "Utilisateur" in content
    assert "updated at" not in content.lower() and "granted at" not in content.lower()
