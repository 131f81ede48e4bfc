"""Organisation API tokens: creation, revocation, and the API's bearer authentication.

A token is `plr_` followed by 43 URL-safe random characters (256 bits). It is shown once,
when created; the database keeps its SHA-256 digest (to find it) and its first characters
(to recognise it in a list), never the token itself. Tokens are never logged. A token acts
for its organisation only, with the rights of an organisation admin on campaigns.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError
from ninja.security.http import HttpAuthBase

from palier.accounts.models import User
from palier.organisations.models import Organisation, OrganisationToken

TOKEN_PREFIX = "plr_"  # noqa: S105 - a public marker, not a secret
TOKEN_RANDOM_BYTES = 32
# Characters kept for display: the prefix and 8 random characters, enough to tell tokens apart.
DISPLAY_LENGTH = 12
# last_used_at is written at most once per this interval, so reads do not each cost a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(
    organisation: Organisation, user: User, name: str
) -> tuple[OrganisationToken, str]:
    """A new token for `organisation`: the stored row, and the secret to show once."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_RANDOM_BYTES)
    token = OrganisationToken.objects.create(
        organisation=organisation,
        name=name.strip(),
        prefix=secret[:DISPLAY_LENGTH],
        digest=digest(secret),
        created_by=user,
    )
    return token, secret


@transaction.atomic
def revoke_token(token: OrganisationToken) -> OrganisationToken:
    """Revoke at once (idempotent): the next request with this token answers 401."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def active_token(secret: str) -> OrganisationToken | None:
    """The active token with this secret, its last use recorded; None if unknown or revoked."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        OrganisationToken.objects.select_related("organisation")
        .filter(digest=digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        OrganisationToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class OrganisationTokenAuth(HttpAuthBase):
    """`Authorization: Bearer plr_…`; `request.auth` becomes the OrganisationToken.

    Without the header, the next authentication (the session) is tried. A header with an
    unknown or revoked token answers 401 at once: a client that sends a token means it.
    Unlike ninja's HttpBearer, nothing of the header is ever logged."""

    openapi_scheme = "bearer"

    def __call__(self, request: HttpRequest) -> OrganisationToken | None:
        value = request.headers.get("Authorization", "")
        if not value:
            return None
        scheme, _space, secret = value.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = active_token(secret.strip())
        if token is None:
            raise AuthenticationError
        return token


organisation_token_auth = OrganisationTokenAuth()
