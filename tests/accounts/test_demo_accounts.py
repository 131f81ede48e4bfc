"""Demo accounts (published password) are refused on every path whenever debug is off.

pytest-django runs tests with DEBUG off; each test still says which mode it means."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from palier.accounts.checks import DEMO_ACCOUNTS_ERROR, check_no_demo_accounts
from palier.accounts.demo import DEMO_DOMAIN
from palier.accounts.models import User
from palier.organisations.demo import remove_demo_accounts
from tests.factories import PASSWORD, make_organisation, make_user

pytestmark = pytest.mark.django_db
DEMO_ADMIN = f"admin@{DEMO_DOMAIN}"


def log_in(client, email: str):
    return client.post(reverse("accounts:login"), {"username": email, "password": PASSWORD})


def test_a_demo_account_logs_in_in_debug(client):
    make_user(DEMO_ADMIN, is_staff=True, is_superuser=True)
    with override_settings(DEBUG=True):
        response = log_in(client, DEMO_ADMIN)
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_a_demo_superuser_cannot_log_in_when_debug_is_off(client):
    make_user(DEMO_ADMIN, is_staff=True, is_superuser=True)
    with override_settings(DEBUG=False):
        response = log_in(client, DEMO_ADMIN.upper())
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_real_account_still_logs_in_when_debug_is_off(client):
    make_user("nora@example.org")
    with override_settings(DEBUG=False):
        response = log_in(client, "nora@example.org")
    assert response.status_code == 302


def test_a_demo_session_opened_in_debug_ends_when_debug_is_off(client):
    api_me = "/api/v1/me"
    with override_settings(DEBUG=True):
        client.force_login(make_user(f"apprenant@{DEMO_DOMAIN}"))
        assert client.get(api_me).status_code == 200
    with override_settings(DEBUG=False):
        assert client.get(api_me).status_code == 401
        page = client.get(reverse("accounts:profile"))
        assert page.status_code == 302 and page["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_a_demo_account_gets_no_password_reset_e_mail_when_debug_is_off(client, run_tasks):
    make_user(DEMO_ADMIN)
    with override_settings(DEBUG=False):
        response = client.post(reverse("accounts:password_reset"), {"email": DEMO_ADMIN})
    assert response["Location"] == reverse("accounts:password_reset_done")
    run_tasks()
    assert mail.outbox == []


def test_the_deploy_check_reports_demo_accounts_when_debug_is_off():
    make_user(DEMO_ADMIN)
    with override_settings(DEBUG=False):
        errors = check_no_demo_accounts()
    assert [error.id for error in errors] == [DEMO_ACCOUNTS_ERROR]
    assert "remove_demo_accounts" in errors[0].hint
    with override_settings(DEBUG=True):
        assert check_no_demo_accounts() == []


def test_removing_demo_accounts_keeps_real_accounts_and_organisations():
    make_user(DEMO_ADMIN)
    make_user(f"00001.camille.x1@{DEMO_DOMAIN}")
    make_user("nora@example.org")
    make_organisation(slug="demo-ifsi-rive-gauche", is_demo=True)
    real = make_organisation(slug="ifsi-du-parc")
    call_command("remove_demo_accounts", verbosity=0)
    assert list(User.objects.values_list("email", flat=True)) == ["nora@example.org"]
    assert [organisation.pk for organisation in type(real).objects.all()] == [real.pk]
    assert remove_demo_accounts().accounts == 0  # idempotent
