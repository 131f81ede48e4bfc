"""Passwords: Argon2id at OWASP's minimum; older, costlier Argon2 hashes verify and upgrade."""

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher, get_hasher, identify_hasher
from django.urls import reverse

from palier.accounts.hashers import PalierArgon2PasswordHasher
from palier.settings import PASSWORD_HASHERS
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.django_db
OWASP_MIN_MEMORY_KIB = 19456
OWASP_MIN_TIME_COST = 2


@pytest.fixture
def production_hashers(settings):
    """The hashers of settings.py (the suite otherwise uses a fast one)."""
    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


def test_the_first_hasher_keeps_owasp_s_argon2id_minimum(production_hashers):
    hasher = get_hasher("default")
    assert isinstance(hasher, PalierArgon2PasswordHasher)
    assert hasher.memory_cost >= OWASP_MIN_MEMORY_KIB
    assert hasher.time_cost >= OWASP_MIN_TIME_COST
    assert hasher.parallelism >= 1
    assert "m=19456,t=2,p=1" in hasher.encode(PASSWORD, hasher.salt())


def test_an_old_100_mib_hash_still_logs_in_and_is_rehashed(client, production_hashers):
    user = make_user("nora@example.org")
    user.password = Argon2PasswordHasher().encode(PASSWORD, Argon2PasswordHasher().salt())
    user.save(update_fields=["password"])
    assert "m=102400" in user.password
    response = client.post(
        reverse("accounts:login"), {"username": "nora@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert "m=19456,t=2,p=1" in user.password
    assert isinstance(identify_hasher(user.password), PalierArgon2PasswordHasher)
