"""Account e-mails: throttled per address and per client, no enumeration, no typed text."""

import re

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from palier.accounts.models import ThrottleEvent, User
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
SIGNUP = {
    "email": "camille@example.org",
    "first_name": "Camille",
    "last_name": "Durand",
    "password1": PASSWORD,
    "password2": PASSWORD,
}


def sign_up(client: Client, address: str = "198.51.100.7", **changes: str):
    return client.post(reverse("accounts:signup"), {**SIGNUP, **changes}, REMOTE_ADDR=address)


def main_text(page: bytes) -> bytes:
    """The page's main content (the rest holds per-request tokens and nonces)."""
    return re.search(rb"<main.*</main>", page, re.DOTALL).group(0)


def ask_reset(client: Client, email: str, address: str = "198.51.100.7"):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.django_db(transaction=True)
def test_sign_up_answers_the_same_for_a_known_address_and_e_mails_its_owner(client, run_tasks):
    make_user("known@example.org", first_name="Nora")
    new = sign_up(Client(), email="new@example.org")
    known = sign_up(Client(), email="KNOWN@example.org")
    assert new.status_code == known.status_code == 302
    assert new["Location"] == known["Location"] == reverse("accounts:signup_done")
    done_new, done_known = (Client().get(answer["Location"]) for answer in (new, known))
    assert main_text(done_new.content) == main_text(done_known.content)
    run_tasks()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"new@example.org", "known@example.org"}
    reminder = by_recipient["known@example.org"]
    assert "déjà un compte" in reminder.subject
    assert "/compte/connexion/" in reminder.body and "/compte/mot-de-passe/" in reminder.body
    assert User.objects.filter(email="known@example.org").get().first_name == "Nora"


@override_settings(PALIER_EMAILS_PER_ADDRESS_PER_HOUR=3)
def test_password_reset_e_mails_are_throttled_per_address_known_or_not(client):
    make_user("nora@example.org")
    for email in ("nora@example.org", "nobody@example.org"):
        answers = [ask_reset(Client(), email, f"198.51.100.{n}") for n in range(4)]
        assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
        assert "Trop de demandes" in answers[-1].content.decode()


@override_settings(PALIER_EMAILS_PER_CLIENT_PER_HOUR=5)
def test_e_mail_requests_are_throttled_per_client_address(client):
    for number in range(5):
        assert ask_reset(client, f"person{number}@example.org").status_code == 302
    assert ask_reset(client, "person9@example.org").status_code == 429
    assert ask_reset(client, "person9@example.org", "203.0.113.1").status_code == 302


@override_settings(PALIER_EMAILS_PER_ADDRESS_PER_HOUR=2)
def test_sign_up_is_throttled_per_address_and_a_refused_one_creates_nothing(client):
    assert sign_up(Client(), "198.51.100.1").status_code == 302
    assert sign_up(Client(), "198.51.100.2").status_code == 302
    refused = sign_up(Client(), "198.51.100.3", email="CAMILLE@example.org")
    assert refused.status_code == 429
    assert User.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@override_settings(PALIER_EMAILS_PER_ADDRESS_PER_HOUR=2)
def test_confirmation_resends_are_throttled(client, run_tasks):
    client.force_login(make_user("lea@example.org", confirmed=False))
    resend = reverse("accounts:resend_confirmation")
    for _ in range(3):
        client.post(resend)
    run_tasks()
    assert len(mail.outbox) == 2
    page = client.get(reverse("accounts:profile"))
    assert "Trop de demandes" in page.content.decode()


def test_throttle_counters_store_no_address_in_clear(client):
    ask_reset(client, "nora@example.org", "198.51.100.7")
    keys = list(ThrottleEvent.objects.values_list("key", flat=True))
    assert len(keys) == 2
    assert not any("nora" in key or "198.51" in key for key in keys)


@pytest.mark.parametrize(
    "name",
    [
        "Camille\nVisitez https://evil.example",
        "https://evil.example",
        "evil.example",
        "Camille\rDurand",
        "Camille\x00",
        "camille@evil.example",
        "Camille 2",
    ],
)
def test_a_name_with_a_link_or_a_control_character_is_a_form_error(client, name):
    response = sign_up(client, first_name=name)
    assert response.status_code == 200
    assert "first_name" in response.context["form"].errors
    assert User.objects.count() == 0


@pytest.mark.parametrize("name", ["Anne-Sophie", "N'Diaye", "J. R.", "Zoé Lefèvre", "Ở Nguyễn"])
def test_ordinary_names_are_accepted(client, name):
    assert sign_up(client, last_name=name).status_code == 302


def test_the_profile_refuses_a_name_with_a_link(client):
    client.force_login(make_user())
    response = client.post(reverse("accounts:profile"), {"first_name": "www.evil.example"})
    assert "first_name" in response.context["form"].errors


@pytest.mark.django_db(transaction=True)
def test_account_e_mails_carry_no_name_typed_by_the_user(client, run_tasks):
    # A name stored before validation existed (or by the admin) still stays out of e-mails.
    make_user("mallory@example.org", first_name="Gagnez un prix sur evil.example")
    ask_reset(client, "mallory@example.org")
    sign_up(Client(), email="mallory@example.org")
    make_user("unconfirmed@example.org", confirmed=False, first_name="Voir evil.example")
    sign_up(Client(), email="unconfirmed@example.org")
    run_tasks()
    assert len(mail.outbox) == 3
    for message in mail.outbox:
        assert "evil.example" not in message.body + message.subject
