"""Writes on accounts: registration, confirmation, profile, roles, erasure.

Each function is one transaction; e-mails are queued as tasks after commit.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import LearnerProfile, RoleAssignment, User
from palier.accounts.personal_data import erase_sections, export_sections
from palier.accounts.tasks import send_account_email
from palier.accounts.tokens import read_confirmation_token
from palier.frameworks.models import Population

ERASED_EMAIL_DOMAIN = "erased.invalid"


def queue_account_email(user: User, kind: str) -> None:
    user_id = user.pk
    transaction.on_commit(lambda: send_account_email.enqueue(user_id, kind))


@transaction.atomic
def register_user(email: str, password: str, first_name: str = "", last_name: str = "") -> User:
    user = User.objects.create_user(
        email=email, password=password, first_name=first_name, last_name=last_name
    )
    LearnerProfile.objects.create(user=user)
    queue_account_email(user, "confirm_email")
    return user


@transaction.atomic
def confirm_email(token: str) -> User:
    """Confirm the address behind `token` (idempotent). Raises InvalidTokenError."""
    user = read_confirmation_token(token)
    if not user.email_confirmed:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])
    return user


def resend_confirmation(user: User) -> None:
    if not user.email_confirmed:
        queue_account_email(user, "confirm_email")


def request_password_reset(email: str) -> None:
    """Queue a reset e-mail for an active account with that address; silent otherwise,
    so the form does not reveal which addresses have an account."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is not None and user.has_usable_password():
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
