"""Account linking and nonces, through the services (the launches test them end to end)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from palier.accounts.models import User
from palier.integrations.lti import services
from palier.integrations.lti.models import Platform, PlatformAccount
from tests.factories import make_user


@pytest.fixture
def platform(db):
    return Platform.objects.create(
        name="Moodle",
        issuer="https://moodle.example",
        client_id="abc",
        auth_login_url="https://moodle.example/auth",
        auth_token_url="https://moodle.example/token",
        key_set_url="https://moodle.example/certs",
    )


def test_a_first_launch_creates_the_account_from_the_claims(platform):
    claims = {"sub": "u1", "email": "Nina@Univ.example", "given_name": "Nina", "family_name": "Bo"}
    user = services.account_for_launch(platform, claims)
    assert (user.email, user.first_name, user.last_name) == ("nina@univ.example", "Nina", "Bo")
    assert user.profile is not None
    assert services.account_for_launch(platform, claims) == user


def test_a_platform_that_withholds_the_address_gets_an_undeliverable_one(platform):
    user = services.account_for_launch(platform, {"sub": "u2"})
    assert user.email.endswith("@lti.invalid")
    assert not user.has_usable_password()


def test_an_address_already_taken_is_never_linked_without_its_owner(platform):
    make_user("taken@univ.example")
    assert (
        services.account_for_launch(platform, {"sub": "u3", "email": "taken@univ.example"}) is None
    )
    assert not PlatformAccount.objects.exists()
    assert User.objects.filter(email="taken@univ.example").count() == 1


def test_a_closed_account_is_refused(platform):
    user = make_user(is_active=False)
    PlatformAccount.objects.create(platform=platform, subject="u4", user=user)
    with pytest.raises(PermissionDenied):
        services.account_for_launch(platform, {"sub": "u4"})


def test_a_nonce_works_once(db):
    services.issue_nonce("n-1")
    assert services.consume_nonce("n-1")
    assert not services.consume_nonce("n-1")
    assert not services.consume_nonce("never-issued")
