"""Files carried in signed tokens from a dry run to its confirmation."""

from __future__ import annotations

import time
from unittest import mock

from django.core import signing

from palier.core.signed_files import file_from_token, sign_file

SALT = "tests.signed-files"
BOUND = {"organisation": 3, "user": 12}


def test_the_file_comes_back_for_the_same_objects_and_user() -> None:
    token = sign_file(b"public;inscrits\n", salt=SALT, bound_to=BOUND)
    assert file_from_token(token, salt=SALT, bound_to=BOUND, max_age_minutes=30) == (
        b"public;inscrits\n"
    )


def test_another_user_object_or_salt_gets_nothing() -> None:
    token = sign_file(b"data", salt=SALT, bound_to=BOUND)
    assert (
        file_from_token(token, salt=SALT, bound_to={**BOUND, "user": 13}, max_age_minutes=30)
        is None
    )
    assert file_from_token(token, salt=SALT, bound_to={"user": 12}, max_age_minutes=30) is None
    assert file_from_token(token, salt="other", bound_to=BOUND, max_age_minutes=30) is None


def test_an_altered_or_malformed_token_gets_nothing() -> None:
    token = sign_file(b"data", salt=SALT, bound_to=BOUND)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    for bad in (altered, "", "not-a-token", signing.dumps(["a", "list"], salt=SALT)):
        assert file_from_token(bad, salt=SALT, bound_to=BOUND, max_age_minutes=30) is None


def test_an_expired_token_gets_nothing() -> None:
    token = sign_file(b"data", salt=SALT, bound_to=BOUND)
    in_31_minutes = time.time() + 31 * 60
    with mock.patch("django.core.signing.time.time", return_value=in_31_minutes):
        assert file_from_token(token, salt=SALT, bound_to=BOUND, max_age_minutes=30) is None
    assert file_from_token(token, salt=SALT, bound_to=BOUND, max_age_minutes=30) == b"data"
