"""Writes on accounts: registration, confirmation, profile, roles, erasure.

Each function is one transaction; e-mails are queued as tasks after commit.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.backends import demo_accounts_allowed, is_demo_email
from palier.accounts.choices import LearnerStatus
from palier.accounts.models import LearnerProfile, RoleAssignment, User
from palier.accounts.personal_data import erase_sections, export_sections
from palier.accounts.tasks import send_account_email
from palier.accounts.throttle import allow, throttle_key
from palier.accounts.tokens import read_confirmation_token
from palier.core.errors import ServiceError
from palier.frameworks.models import Population

ERASED_EMAIL_DOMAIN = "erased.invalid"


class AccountError(ServiceError):
    """An account write refused, with a stable code."""


def queue_account_email(user: User, kind: str) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: send_account_email.enqueue(user_id, kind))


def check_email_throttle(email: str, client: str | None) -> None:
    """Count one account e-mail asked for `email` from `client`; raise AccountError (429)
    past the hourly limits. The count does not depend on whether the address has an account,
    so the answer reveals nothing about it."""
    limits = [(throttle_key("email", email), settings.PALIER_EMAILS_PER_ADDRESS_PER_HOUR)]
    if client:
        limits.append((throttle_key("client", client), settings.PALIER_EMAILS_PER_CLIENT_PER_HOUR))
    if not allow(limits):
        raise AccountError(
            429,
            "too_many_emails",
            _("Trop de demandes d'e-mail en peu de temps : réessayez dans une heure."),
        )


@transaction.atomic
def register_user(
    email: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    client: str | None = None,
) -> User | None:
    """Create an account and queue its confirmation e-mail; None when the address already
    has an account, which then gets a "you already have an account" e-mail instead. The
    caller answers both cases the same way, so sign-up does not reveal who has an account.
    Raises AccountError (429) past the e-mail limits, whether the address is known or not."""
    check_email_throttle(email, client)
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is None:
        try:
            with transaction.atomic():
                user = User.objects.create_user(
                    email=email, password=password, first_name=first_name, last_name=last_name
                )
        except IntegrityError:  # the same address signed up at the same moment
            existing = User.objects.filter(email__iexact=email.strip()).first()
        else:
            LearnerProfile.objects.create(user=user)
            queue_account_email(user, "confirm_email")
            return user
    if existing is not None:
        # An unconfirmed account gets its confirmation link again, a confirmed one a reminder
        # to sign in or reset the password.
        kind = "already_registered" if existing.email_confirmed else "confirm_email"
        queue_account_email(existing, kind)
    return None


@transaction.atomic
def confirm_email(token: str) -> User:
    """Confirm the address behind `token` (idempotent). Raises InvalidTokenError."""
    user = read_confirmation_token(token)
    if not user.email_confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


@transaction.atomic
def resend_confirmation(user: User, client: str | None = None) -> None:
    """Queue a new confirmation e-mail (throttled like the others)."""
    if not user.email_confirmed:
        check_email_throttle(user.email, client)
        queue_account_email(user, "confirm_email")


@transaction.atomic
def request_password_reset(email: str, client: str | None = None) -> None:
    """Queue a reset e-mail for an active account with that address; silent otherwise,
    so the form does not reveal which addresses have an account. Demo accounts get none
    outside debug. Raises AccountError (429) past the e-mail limits, known address or not."""
    check_email_throttle(email, client)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    if is_demo_email(user.email) and not demo_accounts_allowed():
        return
    queue_account_email(user, "password_reset")


@transaction.atomic
def update_profile(
    user: User,
    *,
    first_name: str,
    last_name: str,
    population: Population | None,
    status: str,
    year_of_study: int | None,
    region: str,
    extra_time: bool = False,
    uses_screen_reader: bool = False,
    learning_records_opt_out: bool = False,
) -> LearnerProfile:
    if status != LearnerStatus.STUDENT:
        year_of_study = None
    User.objects.filter(pk=user.pk).update(first_name=first_name, last_name=last_name)
    user.first_name, user.last_name = first_name, last_name
    profile, _ = LearnerProfile.objects.update_or_create(
        user=user,
        defaults={
            "population": population,
            "status": status,
            "year_of_study": year_of_study,
            "region": region,
            "extra_time": extra_time,
            "uses_screen_reader": uses_screen_reader,
            "learning_records_opt_out": learning_records_opt_out,
        },
    )
    return profile


@transaction.atomic
def grant_role(user: User, role: str) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role)
    user.__dict__.pop("_palier_roles", None)


@transaction.atomic
def erase_user(user: User) -> None:
    """Erase a user's personal data (right to erasure, GDPR art. 17).

    The account can no longer log in; names and address are gone; memberships and roles are
    removed. The learner profile (population, status, year, region) stays, attached to the
    random pseudonym only, for statistics. The apps above accounts erase their part through
    the personal-data registry (memberships, campaign participations' external ids)."""
    RoleAssignment.objects.filter(user=user).delete()
    erase_sections(user)
    user.email = f"{uuid.uuid4().hex}@{ERASED_EMAIL_DOMAIN}"
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()


def export_personal_data(user: User) -> dict[str, Any]:
    """Everything stored about the user, as JSON-ready data (GDPR art. 15 and 20); the apps
    above accounts add their sections through the personal-data registry."""
    from palier.accounts.queries import profile_values

    return {
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "pseudonym": str(user.pseudonym),
            "date_joined": user.date_joined.isoformat(),
            "email_confirmed_at": user.email_confirmed_at.isoformat()
            if user.email_confirmed_at
            else None,
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "profile": profile_values(user),
        "roles": sorted(user.role_assignments.values_list("role", flat=True)),
        **export_sections(user),
    }
