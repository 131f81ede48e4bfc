"""Login failures lock one account on one client, not a classroom, not the account's owner.

Limits (settings): five failures per (account, client address), a high limit per client
address (password spraying), a per-account limit that spares the owner's known browsers."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
LOGIN = "accounts:login"
SCHOOL_NAT = "192.0.2.10"


def attempt(client: Client, email: str, password: str, address: str, **extra: str):
    return client.post(
        reverse(LOGIN), {"username": email, "password": password}, REMOTE_ADDR=address, **extra
    )


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_one_student_s_typos_behind_a_school_nat_lock_nobody_else():
    students = [make_user(f"student{number}@example.org") for number in range(10)]
    typo_prone = Client()
    for _ in range(6):
        attempt(typo_prone, students[0].email, "wrong password!", SCHOOL_NAT)
    locked = attempt(typo_prone, students[0].email, PASSWORD, SCHOOL_NAT)
    assert locked.status_code == 429 and not signed_in(typo_prone)
    for student in students[1:]:
        classmate = Client()
        response = attempt(classmate, student.email, PASSWORD, SCHOOL_NAT)
        assert response.status_code == 302 and signed_in(classmate), student.email


@override_settings(PALIER_LOGIN_FAILURES_PER_CLIENT=12)
def test_password_spraying_over_many_accounts_from_one_address_hits_the_address_limit():
    victims = [make_user(f"victim{number}@example.org") for number in range(12)]
    attacker = Client()
    for victim in victims:  # one guess per account: no (account, address) pair is locked
        attempt(attacker, victim.email, "Printemps2026!", "203.0.113.66")
    bystander = make_user("bystander@example.org")
    refused = attempt(Client(), bystander.email, PASSWORD, "203.0.113.66")
    assert refused.status_code == 429
    elsewhere = Client()
    assert attempt(elsewhere, bystander.email, PASSWORD, "198.51.100.1").status_code == 302


@override_settings(PALIER_BEHIND_PROXY=True, PALIER_TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_one_person_cannot_lock_an_account_for_everyone():
    victim = make_user("victim@example.org")
    attacker = Client()
    for _ in range(6):
        attempt(
            attacker,
            victim.email,
            "guess guess guess",
            "10.0.0.2",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    owner = Client()
    response = attempt(
        owner, victim.email, PASSWORD, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20"
    )
    assert response.status_code == 302 and signed_in(owner)


@override_settings(PALIER_BEHIND_PROXY=False)
def test_a_forged_forwarded_header_does_not_escape_the_lockout():
    make_user("lea@example.org")
    attacker = Client()
    for number in range(5):
        attempt(
            attacker,
            "lea@example.org",
            "guess guess guess",
            "203.0.113.66",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{number}",
        )
    response = attempt(
        attacker,
        "lea@example.org",
        PASSWORD,
        "203.0.113.66",
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429


@override_settings(PALIER_LOGIN_FAILURES_PER_ACCOUNT=8)
def test_guessing_from_many_addresses_locks_new_browsers_but_not_the_owner_s():
    owner_account = make_user("owner@example.org")
    owner = Client()
    assert attempt(owner, owner_account.email, PASSWORD, "198.51.100.20").status_code == 302
    owner.post(reverse("accounts:logout"))
    for number in range(8):  # spread so that no (account, address) pair reaches five
        attempt(Client(), owner_account.email, "guess guess guess", f"203.0.113.{number}")
    stranger = Client()
    assert attempt(stranger, owner_account.email, PASSWORD, "203.0.113.99").status_code == 429
    assert attempt(owner, owner_account.email, PASSWORD, "198.51.100.21").status_code == 302
    assert signed_in(owner)


def test_a_forged_known_browser_cookie_does_not_spare_the_account_limit(settings):
    settings.PALIER_LOGIN_FAILURES_PER_ACCOUNT = 3
    make_user("owner@example.org")
    for number in range(3):
        attempt(Client(), "owner@example.org", "guess guess guess", f"203.0.113.{number}")
    forger = Client()
    forger.cookies["palier_known_client"] = "forged"
    assert attempt(forger, "owner@example.org", PASSWORD, "203.0.113.50").status_code == 429
