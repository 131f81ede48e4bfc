"""An organisation's staff: invitations by e-mail, roles, removal; the invitation e-mail task.

An invitation link carries a signed token (invitation id and address, valid
INVITATION_MAX_AGE). Accepting needs an account with the invited address; it adds the
membership once. An organisation always keeps at least one admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from palier.accounts.models import User
from palier.core.errors import ServiceError
from palier.core.http import absolute_url
from palier.organisations.choices import MembershipRole
from palier.organisations.models import Invitation, Membership, Organisation

# The salt keeps its first value: links sent before the move to this app still open.
INVITATION_SALT = "palier.accounts.invitation"
INVITATION_MAX_AGE = timedelta(days=7)


class TeamError(ServiceError):
    """A staff change refused, with a stable code."""


# --- invitations ------------------------------------------------------------------------


def make_invitation_token(invitation: Invitation) -> str:
    return signing.dumps(
        {"invitation": invitation.pk, "email": invitation.email.lower()}, salt=INVITATION_SALT
    )


@dataclass(frozen=True)
class InvitationLink:
    """What a link says, once its signature is checked."""

    invitation: Invitation
    email_matches: bool


def read_invitation(token: str, user: User) -> InvitationLink:
    """The invitation behind a link, for `user`. Raises TeamError: 404 invalid_invitation
    (forged or cancelled), 410 expired_invitation, 410 used_invitation (accepted, and `user`
    is not in the team)."""
    try:
        payload = signing.loads(
            token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired as error:
        raise TeamError(
            410,
            "expired_invitation",
            _("Ce lien d'invitation a expiré : demandez une nouvelle invitation."),
        ) from error
    except signing.BadSignature as error:
        raise _invalid() from error
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=payload.get("invitation"), email__iexact=payload.get("email", ""))
        .first()
        if isinstance(payload, dict)
        else None
    )
    if invitation is None:
        raise _invalid()
    if (
        invitation.accepted_at is not None
        and not Membership.objects.filter(
            organisation_id=invitation.organisation_id, user=user
        ).exists()
    ):
        # Used once: someone removed from the team since cannot come back through it.
        raise TeamError(410, "used_invitation", _("Cette invitation a déjà été utilisée."))
    return InvitationLink(invitation, user.email.lower() == invitation.email.lower())


def _invalid() -> TeamError:
    return TeamError(
        404,
        "invalid_invitation",
        _("Ce lien d'invitation n'est pas valable ou l'invitation a été annulée."),
    )


@transaction.atomic
def invite(organisation: Organisation, invited_by: User, email: str, role: str) -> Invitation:
    """Invite `email` (validated by the form) with `role` and queue the e-mail.

    Inviting an address that already has a pending invitation updates its role and sends
    the e-mail again (a fresh link) instead of adding a second invitation."""
    # Serialise invitations of one organisation so that two clicks do not make two rows.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    email = email.strip().lower()
    if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
        raise TeamError(
            409,
            "already_member",
            _("Cette personne fait déjà partie de l'équipe."),
            {"email": [_("Déjà membre de l'organisation.")]},
        )
    invitation = Invitation.objects.filter(
        organisation=organisation, email__iexact=email, accepted_at__isnull=True
    ).first()
    if invitation is None:
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, invited_by=invited_by
        )
    else:
        invitation.role = role
        invitation.invited_by = invited_by
        invitation.save(update_fields=["role", "invited_by"])
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id))
    return invitation


@transaction.atomic
def cancel_invitation(invitation: Invitation) -> None:
    """Withdraw a pending invitation: its link stops working."""
    Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).delete()


@transaction.atomic
def accept_invitation(token: str, user: User) -> Membership:
    """Join the organisation the link invites to (idempotent).

    The signed-in account must have the invited address. An existing membership is kept,
    and raised to admin if the invitation says so, never lowered."""
    link = read_invitation(token, user)
    if not link.email_matches:
        raise TeamError(
            403,
            "wrong_account",
            _(
                "Cette invitation a été envoyée à une autre adresse. Connectez-vous avec le "
                "compte de l'adresse invitée."
            ),
        )
    invitation = Invitation.objects.select_for_update().get(pk=link.invitation.pk)
    membership, created = Membership.objects.get_or_create(
        organisation_id=invitation.organisation_id, user=user, defaults={"role": invitation.role}
    )
    if not created and invitation.role == MembershipRole.ADMIN and not membership.is_admin:
        membership.role = MembershipRole.ADMIN
        membership.save(update_fields=["role"])
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return membership


# --- members ----------------------------------------------------------------------------


def _other_admins(membership: Membership) -> int:
    # Locks the organisation's admin rows: two admins demoting each other at the same
    # moment cannot leave the organisation without one.
    admins = Membership.objects.select_for_update().filter(
        organisation_id=membership.organisation_id, role=MembershipRole.ADMIN
    )
    return sum(1 for admin in admins if admin.pk != membership.pk)


def _last_admin_error() -> TeamError:
    return TeamError(
        409,
        "last_admin",
        _(
            "L'organisation doit garder au moins un administrateur : nommez-en un autre "
            "avant de retirer celui-ci."
        ),
    )


@transaction.atomic
def change_role(membership: Membership, role: str) -> Membership:
    """Make `membership` admin or member; the organisation's last admin cannot step down."""
    if role not in MembershipRole.values:
        raise TeamError(422, "invalid_input", _("Rôle inconnu."), {"role": [_("Rôle inconnu.")]})
    if membership.is_admin and role != MembershipRole.ADMIN and _other_admins(membership) == 0:
        raise _last_admin_error()
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def remove_member(membership: Membership) -> None:
    """Take `membership` out of the team; the organisation's last admin cannot leave."""
    if membership.is_admin and _other_admins(membership) == 0:
        raise _last_admin_error()
    membership.delete()


# --- e-mail -----------------------------------------------------------------------------


def invitation_link(invitation: Invitation) -> str:
    return absolute_url("organisations:invitation", make_invitation_token(invitation))


@task()
def send_invitation_email(invitation_id: int) -> bool:
    """Send the invitation e-mail (French, then English); False once accepted or cancelled."""
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=invitation_id, accepted_at__isnull=True)
        .first()
    )
    if invitation is None:
        return False
    with translation.override("fr"):
        role_fr = str(MembershipRole(invitation.role).label)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": invitation.invited_by,
        "role_fr": role_fr,
        "role_en": "administrator" if invitation.role == MembershipRole.ADMIN else "member",
        "link": invitation_link(invitation),
        "days": INVITATION_MAX_AGE.days,
        "signup_link": absolute_url("accounts:signup"),
    }
    # One line whatever the organisation's name holds (a header cannot contain a newline).
    subject = " ".join(
        render_to_string("organisations/email/invitation_subject.txt", context).split()
    )
    body = render_to_string("organisations/email/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    return True
