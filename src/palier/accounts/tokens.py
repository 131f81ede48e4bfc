"""Signed, expiring e-mail confirmation tokens (no database table needed)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

from palier.accounts.models import User

CONFIRMATION_SALT = "palier.accounts.email-confirmation"


class InvalidTokenError(ValueError):
    """The link is malformed, expired, or was issued for another address."""


def make_confirmation_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=CONFIRMATION_SALT)


def read_confirmation_token(token: str) -> User:
    try:
        payload = signing.loads(
            token, salt=CONFIRMATION_SALT, max_age=settings.EMAIL_CONFIRMATION_MAX_AGE_SECONDS
        )
    except signing.SignatureExpired as error:
        raise InvalidTokenError("expired") from error
    except signing.BadSignature as error:
        raise InvalidTokenError("invalid") from error
    user = User.objects.filter(pk=payload.get("user"), email=payload.get("email")).first()
    if user is None or not user.is_active:
        raise InvalidTokenError("unknown")
    return user
