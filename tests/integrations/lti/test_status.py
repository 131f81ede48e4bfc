"""What administrators see of LTI: one status line per platform, or "not configured"."""

from __future__ import annotations

from django.utils import timezone

from palier.integrations import status
from palier.integrations.lti.models import Platform


def lti_lines():
    return [line for line in status.statuses() if line.name.startswith("LTI")]


def test_without_a_key_lti_reports_not_configured(settings, db):
    settings.PALIER_LTI_KEY = ""
    (line,) = lti_lines()
    assert not line.configured


def test_each_platform_reports_its_last_success_and_error(tool_keys, db):
    assert lti_lines()[0].manage_url == "/gestion/integrations_lti/platform/add/"
    platform = Platform.objects.create(
        name="Moodle IFSI",
        issuer="https://moodle.example",
        client_id="abc",
        auth_login_url="https://moodle.example/mod/lti/auth.php",
        auth_token_url="https://moodle.example/mod/lti/token.php",
        key_set_url="https://moodle.example/mod/lti/certs.php",
        last_error_at=timezone.now(),
        last_error_message="launch refused: id_token expired",
    )
    (line,) = lti_lines()
    assert line.name == "LTI 1.3 : Moodle IFSI"
    assert line.configured
    assert line.last_error_message == "launch refused: id_token expired"
    assert line.manage_url == f"/gestion/integrations_lti/platform/{platform.pk}/change/"


def test_the_management_site_lists_platforms_for_administrators_only(
    client, tool_keys, org_admin, db
):
    from palier.accounts.roles import Role
    from tests.factories import make_user

    client.force_login(org_admin)
    assert client.get("/gestion/integrations_lti/platform/").status_code in (302, 403)
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True))
    assert client.get("/gestion/integrations_lti/platform/add/").status_code == 200


def test_every_field_label_is_translatable():
    from django.apps import apps
    from django.utils.functional import Promise

    plain = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("integrations_lti").get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise)
    ]
    assert not plain, f"labels not marked for translation: {plain}"
