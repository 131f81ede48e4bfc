import re

import pytest
from django.core import mail
from django.urls import reverse

from palier.accounts.models import LearnerProfile, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
SIGNUP = {
    "email": "Camille.Durand@Example.org",
    "first_name": "Camille",
    "last_name": "Durand",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def confirmation_link() -> str:
    assert len(mail.outbox) == 1
    return re.search(r"https?://\S+/compte/confirmer/\S+/", mail.outbox[0].body).group(0)


@pytest.mark.django_db(transaction=True)
def test_sign_up_then_confirm_then_log_in(client, framework, run_tasks):
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="camille.durand@example.org")
    assert not user.email_confirmed
    assert LearnerProfile.objects.filter(user=user).exists()
    assert mail.outbox == []  # queued, not yet sent: the worker sends it
    run_tasks()
    link = confirmation_link()
    assert mail.outbox[0].to == ["camille.durand@example.org"]

    login = {"username": "camille.durand@example.org", "password": PASSWORD}
    refused = client.post(reverse("accounts:login"), login)
    assert "Confirmez d&#x27;abord votre adresse" in refused.content.decode()

    path = link.split("://", 1)[1].split("/", 1)[1]
    assert client.get("/" + path).status_code == 302
    user.refresh_from_db()
    assert user.email_confirmed
    response = client.post(reverse("accounts:login"), login)
    # Everyone lands on their home, not on the profile form.
    assert response.status_code == 302 and response["Location"] == reverse("platform:my_space")
    assert client.get(reverse("platform:my_space")).status_code == 200


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": ""}, "email"),
        ({"email": "not-an-address"}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"last_name": "x" * 151}, "last_name"),
        ({"password1": ""}, "password1"),
        ({"password2": "something else entirely"}, "password2"),
        ({"password1": "123456789012", "password2": "123456789012"}, "password1"),
        ({"password1": "short", "password2": "short"}, "password1"),
    ],
)
def test_invalid_sign_up_shows_the_error_and_creates_nothing(client, changes, field):
    response = client.post(reverse("accounts:signup"), {**SIGNUP, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert User.objects.count() == 0


def test_a_password_mismatch_does_not_hide_that_the_password_is_too_weak(client):
    response = client.post(
        reverse("accounts:signup"), {**SIGNUP, "password1": "123456789012", "password2": "1234"}
    )
    errors = response.context["form"].errors
    assert set(errors) >= {"password1", "password2"}
    page = response.content.decode()
    assert "ne correspondent pas" in page
    assert "entièrement numérique" in page or "uniquement des chiffres" in page
    assert User.objects.count() == 0


def test_an_address_already_registered_creates_no_second_account_whatever_its_case(client):
    make_user("camille.durand@example.org")
    response = client.post(reverse("accounts:signup"), SIGNUP)
    assert response["Location"] == reverse("accounts:signup_done")
    assert User.objects.count() == 1


def test_a_forged_or_broken_confirmation_link_is_refused(client):
    response = client.get(reverse("accounts:confirm_email", args=["forged:token"]))
    assert response.status_code == 400


def test_login_is_locked_after_five_failures_even_with_the_right_password(client):
    make_user("lea@example.org")
    for _ in range(5):
        client.post(
            reverse("accounts:login"), {"username": "lea@example.org", "password": "wrong password"}
        )
    response = client.post(
        reverse("accounts:login"), {"username": "lea@example.org", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Trop de tentatives" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_gets_a_clear_message(client):
    make_user("lea@example.org")
    response = client.post(
        reverse("accounts:login"), {"username": "lea@example.org", "password": "nope nope nope"}
    )
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()


def test_logout_needs_a_post(client):
    user = make_user()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session
