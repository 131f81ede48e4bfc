"""Writes of the OpenID sign-in: accounts created or linked by (issuer, subject), and each
provider's last success and last error.

An identity is linked to an existing account with the same e-mail address only through
`link_identity`, which the view calls after the user has typed that account's password:
never on the e-mail address alone."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.accounts.services import AccountError
from palier.frameworks.models import Population
from palier.integrations.oidc.claims import MappedProfile
from palier.integrations.oidc.models import (
    ERROR_MESSAGE_MAX_LENGTH,
    LinkedIdentity,
    ProviderHealth,
)

# Accounts created without an e-mail claim get an address in a reserved, never-delivered
# domain (RFC 2606): the user signs in through the provider only.
NO_EMAIL_DOMAIN = "sans-adresse.invalid"


@dataclass(frozen=True)
class Identity:
    """A verified identity at a provider, with the profile its claims map to."""

    provider_key: str
    issuer: str
    subject: str
    profile: MappedProfile


def linked_user(identity: Identity) -> User | None:
    """The account linked to this identity, None when there is none."""
    link = (
        LinkedIdentity.objects.select_related("user")
        .filter(issuer=identity.issuer, subject=identity.subject)
        .first()
    )
    return link.user if link is not None else None


def account_with_email(identity: Identity) -> User | None:
    """An active account with the identity's e-mail address (to offer linking), or None."""
    if not identity.profile.email:
        return None
    return User.objects.filter(email__iexact=identity.profile.email, is_active=True).first()


def _fill_profile(user: User, profile: MappedProfile) -> None:
    """Set the mapped population and status where the learner has not chosen them."""
    learner_profile, _ = LearnerProfile.objects.get_or_create(user=user)
    changed = []
    if learner_profile.population_id is None and profile.population_code:
        population = Population.objects.filter(code=profile.population_code).first()
        if population is not None:
            learner_profile.population = population
            changed.append("population")
    if not learner_profile.status and profile.status:
        learner_profile.status = profile.status
        changed.append("status")
    if changed:
        learner_profile.save(update_fields=[*changed, "updated_at"])


@transaction.atomic
def touch_link(identity: Identity) -> None:
    """Record a sign-in through an existing link."""
    LinkedIdentity.objects.filter(issuer=identity.issuer, subject=identity.subject).update(
        last_login_at=timezone.now()
    )


@transaction.atomic
def create_account(identity: Identity) -> User:
    """First sign-in: a new account (no password), its profile from the claims, the link.

    The e-mail is confirmed when the provider says it verified it. Raises AccountError (409)
    when the address already has an account (the caller offers linking instead)."""
    profile = identity.profile
    email = profile.email or f"{uuid.uuid4().hex}@{NO_EMAIL_DOMAIN}"
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=email,
                password=None,
                first_name=profile.first_name,
                last_name=profile.last_name,
                email_confirmed_at=timezone.now() if profile.email_verified else None,
            )
            LinkedIdentity.objects.create(
                user=user,
                issuer=identity.issuer,
                subject=identity.subject,
                provider_key=identity.provider_key,
                last_login_at=timezone.now(),
            )
    except IntegrityError:
        raise AccountError(409, "account_exists", "") from None
    _fill_profile(user, profile)
    return user


@transaction.atomic
def link_identity(user: User, identity: Identity) -> LinkedIdentity:
    """Link the identity to `user`, who has just proved they own the account (password).

    Fills the profile's empty population and status from the claims. Raises AccountError
    (409) when the identity is already linked to an account."""
    try:
        with transaction.atomic():
            link = LinkedIdentity.objects.create(
                user=user,
                issuer=identity.issuer,
                subject=identity.subject,
                provider_key=identity.provider_key,
                last_login_at=timezone.now(),
            )
    except IntegrityError:
        raise AccountError(409, "identity_already_linked", "") from None
    _fill_profile(user, identity.profile)
    return link


@transaction.atomic
def record_success(provider_key: str) -> None:
    ProviderHealth.objects.update_or_create(
        provider_key=provider_key, defaults={"last_success_at": timezone.now()}
    )


@transaction.atomic
def record_error(provider_key: str, reason: str) -> None:
    """Keep the provider's last error: a reason code, never a claim or a token."""
    ProviderHealth.objects.update_or_create(
        provider_key=provider_key,
        defaults={
            "last_error_at": timezone.now(),
            "last_error_message": reason[:ERROR_MESSAGE_MAX_LENGTH],
        },
    )


@transaction.atomic
def erase_identities(user: User) -> None:
    """Erasure: the account keeps no link to any provider."""
    LinkedIdentity.objects.filter(user=user).delete()
