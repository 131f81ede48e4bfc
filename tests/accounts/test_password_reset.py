import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "a fresh and long passphrase"


@pytest.mark.django_db(transaction=True)
def test_a_user_resets_a_forgotten_password_by_e_mail(client, run_tasks):
    user = make_user("nora@example.org")
    response = client.post(reverse("accounts:password_reset"), {"email": "NORA@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    run_tasks()
    assert len(mail.outbox) == 1
    path = re.search(r"https?://[^/]+(/compte/mot-de-passe/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_an_unknown_address_gets_the_same_answer_and_no_e_mail(client, run_tasks):
    response = client.post(reverse("accounts:password_reset"), {"email": "who@example.org"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    run_tasks()
    assert mail.outbox == []


def test_an_invalid_address_is_a_form_error(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nope"})
    assert response.status_code == 200 and "email" in response.context["form"].errors


def test_a_forged_reset_link_shows_a_clear_message(client):
    user = make_user()
    response = client.get(f"/compte/mot-de-passe/{user.pk}/forged-token/", follow=True)
    assert response.status_code == 200
    assert not response.context["validlink"]
    assert "est plus valable" in response.content.decode()


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("a fresh and long passphrase", "another passphrase"),
        ("12345678901234", "12345678901234"),
        ("", ""),
    ],
)
def test_a_bad_new_password_is_refused_and_the_old_one_kept(client, first, second):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from tests.factories import PASSWORD

    user = make_user()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page = client.get(f"/compte/mot-de-passe/{uid}/{token}/", follow=True)
    response = client.post(
        page.redirect_chain[-1][0], {"new_password1": first, "new_password2": second}
    )
    assert response.status_code == 200 and response.context["form"].errors
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
