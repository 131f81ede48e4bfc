"""Writes of the LTI integration: nonces, account links, courses, grades owed, rosters.

Launch handling (what a launch does for a learner or an instructor) is in launches.py;
sending grades and reading rosters over the network in advantage.py.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.campaigns.models import Participation
from palier.integrations.lti.models import (
    Course,
    GradePassback,
    LaunchNonce,
    Platform,
    PlatformAccount,
)

# A nonce is good for this long after login initiation (the OIDC round trip takes seconds).
NONCE_LIFETIME = timedelta(minutes=10)
ERROR_MESSAGE_MAX_LENGTH = 255
CLAIM_NAMES_ROLES = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CLAIM_CONTEXT = "https://purl.imsglobal.org/spec/lti/claim/context"
CLAIM_DEPLOYMENT = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"


# --- nonces -----------------------------------------------------------------------------


def issue_nonce(value: str) -> None:
    """Remember a nonce handed to the platform at login initiation (and forget stale ones)."""
    LaunchNonce.objects.filter(created_at__lt=timezone.now() - NONCE_LIFETIME).delete()
    LaunchNonce.objects.create(value=value)


def consume_nonce(value: str) -> bool:
    """True the first time a fresh nonce comes back; False for an unknown, stale or reused
    one. The delete is the check, so two concurrent replays cannot both succeed."""
    fresh_since = timezone.now() - NONCE_LIFETIME
    deleted, _rows = LaunchNonce.objects.filter(value=value, created_at__gte=fresh_since).delete()
    return deleted > 0


# --- status -----------------------------------------------------------------------------


def record_success(platform: Platform) -> None:
    Platform.objects.filter(pk=platform.pk).update(last_success_at=timezone.now())


def record_error(platform: Platform | None, message: str) -> None:
    """Keep the last error of a platform for administrators (a reason, no personal data)."""
    if platform is None:
        return
    Platform.objects.filter(pk=platform.pk).update(
        last_error_at=timezone.now(), last_error_message=message[:ERROR_MESSAGE_MAX_LENGTH]
    )


# --- accounts ---------------------------------------------------------------------------


def _placeholder_email(platform: Platform, subject: str) -> str:
    # A platform may withhold e-mail addresses; the account still needs a unique one, and
    # the reserved .invalid domain never receives mail.
    digest = hashlib.sha256(f"{platform.pk}:{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lti.invalid"


@transaction.atomic
def account_for_launch(platform: Platform, claims: dict[str, Any]) -> User | None:
    """The Palier account of the platform user (issuer + subject).

    Linked already: that account. Unknown subject and no account with the e-mail claim: a
    new account with the name and e-mail claims. Unknown subject but an account already
    has that e-mail: None — linking waits until the person signs in to that account and
    confirms (`link_account`), so a platform cannot take over an account by its address."""
    subject = str(claims["sub"])
    link = PlatformAccount.objects.select_related("user").filter(platform=platform, subject=subject)
    found = link.first()
    if found is not None:
        if not found.user.is_active:  # a closed or erased account does not come back
            raise PermissionDenied
        return found.user
    email = str(claims.get("email") or "").strip().lower()
    if email and User.objects.filter(email__iexact=email).exists():
        return None
    user = User.objects.create_user(
        email=email or _placeholder_email(platform, subject),
        password=None,
        first_name=str(claims.get("given_name") or "")[:150],
        last_name=str(claims.get("family_name") or claims.get("name") or "")[:150],
    )
    LearnerProfile.objects.create(user=user)
    PlatformAccount.objects.create(platform=platform, subject=subject, user=user)
    return user


@transaction.atomic
def link_account(user: User, platform: Platform, subject: str) -> PlatformAccount:
    """Link a platform user to the signed-in account, once the person has confirmed."""
    try:
        with transaction.atomic():
            return PlatformAccount.objects.create(platform=platform, subject=subject, user=user)
    except IntegrityError:  # linked meanwhile (another tab): keep the first link
        return PlatformAccount.objects.get(platform=platform, subject=subject)


# --- courses ----------------------------------------------------------------------------


def remember_course(platform: Platform, claims: dict[str, Any], campaign: Any) -> Course | None:
    """Record the launch's course with its roster service address and linked campaign."""
    context = claims.get(CLAIM_CONTEXT) or {}
    context_id = str(context.get("id") or "")
    if not context_id:
        return None
    roster = claims.get(CLAIM_NAMES_ROLES) or {}
    values: dict[str, Any] = {
        "deployment_id": str(claims.get(CLAIM_DEPLOYMENT, "")),
        "title": str(context.get("title") or "")[:255],
        "memberships_url": str(roster.get("context_memberships_url") or "")[:500],
    }
    if campaign is not None:
        values["campaign"] = campaign
    course, _created = Course.objects.update_or_create(
        platform=platform, context_id=context_id, defaults=values
    )
    return course


def mark_roster_imported(course: Course) -> None:
    Course.objects.filter(pk=course.pk).update(roster_imported_at=timezone.now())


# --- grades -----------------------------------------------------------------------------


def owe_grade(
    participation: Participation, account: PlatformAccount, deployment_id: str, lineitem: str
) -> GradePassback:
    """A score this participation owes to the line item (idempotent per line item)."""
    grade, _created = GradePassback.objects.get_or_create(
        participation=participation,
        lineitem_url=lineitem,
        defaults={"account": account, "deployment_id": deployment_id},
    )
    return grade


def grade_sent(grade: GradePassback, score_given: float, score_maximum: float) -> None:
    GradePassback.objects.filter(pk=grade.pk).update(
        status=GradePassback.Status.SENT,
        score_given=score_given,
        score_maximum=score_maximum,
        sent_at=timezone.now(),
        tries=grade.tries + 1,
    )


def grade_failed(grade: GradePassback, message: str, *, final: bool) -> None:
    GradePassback.objects.filter(pk=grade.pk).update(
        status=GradePassback.Status.FAILED if final else GradePassback.Status.PENDING,
        tries=grade.tries + 1,
        last_error_at=timezone.now(),
        last_error_message=message[:ERROR_MESSAGE_MAX_LENGTH],
    )


# --- rosters ----------------------------------------------------------------------------


def import_roster(course: Course, campaign: Any) -> Any:
    """Import the course's learners (NRPS) as the campaign's expected learners, through the
    campaigns' own list import (same checks, same report). Members without an e-mail
    address are left out: the expected list is matched by address."""
    import csv
    import io

    from palier.campaigns.imports import import_expected
    from palier.integrations.lti.advantage import roster

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["last_name", "first_name", "email"])
    for member in roster(course):
        if member.get("email"):
            writer.writerow(
                [member.get("family_name", ""), member.get("given_name", ""), member["email"]]
            )
    report = import_expected(campaign, io.BytesIO(buffer.getvalue().encode()), dry_run=False)
    mark_roster_imported(course)
    return report


@transaction.atomic
def erase_platform_accounts(user: User) -> None:
    """Unlink the user from every learning platform (account erasure): a later launch from
    the platform finds no Palier account for that platform user."""
    PlatformAccount.objects.filter(user=user).delete()
