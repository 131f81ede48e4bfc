"""What a certification centre's staff change: the centre's capability, sessions, their
invigilators and candidates. With certification.enrolment, the only writer of these rows
before exam day (exam-day operations are in certification.services).

Rules (docs/certification.md):
- Platform administrators grant and withdraw the centre capability.
- A session is edited freely while scheduled; once open only its room and address may
  change (a room moved on the day); a finalised or cancelled session is locked.
- Only a scheduled session is cancelled; cancelling frees its access code.
- An access code is unique among scheduled and open sessions (a database constraint): a new
  code is drawn again on a collision, even one raced by another request.
Candidates are enrolled, removed and imported by certification.enrolment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.assessments.services import AssessmentError, certification_calibration
from palier.certification import codes
from palier.certification.errors import CertificationError
from palier.certification.models import Centre, Session
from palier.frameworks.models import Framework
from palier.organisations.models import Membership, Organisation

__all__ = [
    "ACTIVE_STATUSES",
    "INVIGILATOR_PASSWORD_MIN_LENGTH",
    "SESSION_FIELDS",
    "cancel_session",
    "create_session",
    "grant_centre",
    "locked_session",
    "new_access_code",
    "open_session",
    "set_invigilator_password",
    "set_invigilators",
    "update_session",
    "withdraw_centre",
]

INVIGILATOR_PASSWORD_MIN_LENGTH = 8
# Draws of a new access code before giving up (each collides with probability about
# open sessions / 21^4 * 8^2, so a second draw is already rare).
ACCESS_CODE_DRAWS = 20
SESSION_FIELDS = (
    "date",
    "start_time",
    "room",
    "address",
    "expected_candidates",
    "duration_minutes",
)
# What may still change once the session is open (the room can move on the day).
OPEN_SESSION_FIELDS = frozenset({"room", "address"})
ACTIVE_STATUSES = (Session.Status.SCHEDULED, Session.Status.OPEN)


# --- the centre capability ----------------------------------------------------------------


def _require_administrator(by: User) -> None:
    if not has_role(by, Role.ADMINISTRATOR):
        raise CertificationError(
            403,
            "administrator_required",
            _("Seuls les administrateurs de la plateforme habilitent les centres."),
        )


@transaction.atomic
def grant_centre(organisation: Organisation, by: User) -> Centre:
    """Make `organisation` a certification centre (or restore a withdrawn capability)."""
    _require_administrator(by)
    centre, created = Centre.objects.select_for_update().get_or_create(
        organisation=organisation, defaults={"granted_by": by}
    )
    if not created and not centre.is_active:
        centre.is_active = True
        centre.granted_by = by
        centre.save(update_fields=["is_active", "granted_by"])
    return centre


@transaction.atomic
def withdraw_centre(centre: Centre, by: User) -> Centre:
    """Withdraw the capability (sessions and certificates stay); refused while a session
    is open."""
    _require_administrator(by)
    if centre.sessions.filter(status=Session.Status.OPEN).exists():
        raise CertificationError(
            409,
            "session_open",
            _(
                "Une session de ce centre est ouverte : clôturez-la avant de retirer "
                "l'habilitation."
            ),
        )
    centre.is_active = False
    centre.save(update_fields=["is_active"])
    return centre


# --- sessions -----------------------------------------------------------------------------


def locked_session(session: Session) -> Session:
    """The session as stored, locked for the transaction: its status decides what may
    change, and the caller's copy may be stale."""
    return (
        Session.objects.select_for_update().select_related("centre", "framework").get(pk=session.pk)
    )


def _refuse_locked(session: Session) -> None:
    if session.is_locked:
        raise CertificationError(
            409,
            "session_locked",
            _("Cette session est clôturée ou annulée : elle ne peut plus être modifiée."),
        )


def _check_schedule(values: dict[str, Any]) -> None:
    """Refuse a session in the past (422 with the field)."""
    day: date | None = values.get("date")
    if day is not None and day < timezone.localdate():
        raise CertificationError(
            422,
            "date_in_past",
            _("La date de la session est déjà passée."),
            {"date": [_("Choisissez aujourd'hui ou une date à venir.")]},
        )
    start: time | None = values.get("start_time")
    if start is None and "start_time" in values:
        raise CertificationError(
            422, "invalid_input", _("Heure de début manquante."), {"start_time": [_("Requis.")]}
        )


def _check_password(raw: str) -> None:
    if len(raw or "") < INVIGILATOR_PASSWORD_MIN_LENGTH:
        message = _("Le mot de passe de surveillance doit compter au moins %(min)d caractères.") % {
            "min": INVIGILATOR_PASSWORD_MIN_LENGTH
        }
        raise CertificationError(
            422, "password_too_short", message, {"invigilator_password": [message]}
        )


def _save_with_new_code(session: Session) -> None:
    """Save `session` with a fresh access code, drawing again when another scheduled or open
    session holds it (checked first, then enforced by the constraint under a savepoint)."""
    for _draw in range(ACCESS_CODE_DRAWS):
        code = codes.new_access_code()
        taken = Session.objects.filter(access_code=code, status__in=ACTIVE_STATUSES).exclude(
            pk=session.pk
        )
        if taken.exists():
            continue
        session.access_code = code
        try:
            with transaction.atomic():
                session.save()
        except IntegrityError:
            continue  # drawn by a concurrent request in the meantime
        return
    raise CertificationError(
        503, "no_access_code", _("Aucun code d'accès libre n'a été trouvé : réessayez.")
    )


@transaction.atomic
def create_session(
    centre: Centre,
    by: User | None,
    values: dict[str, Any],
    *,
    invigilator_password: str,
    invigilators: Iterable[User] = (),
    framework: Framework,
) -> Session:
    """A scheduled session of `centre` on `framework`, with its access code.

    `values` holds SESSION_FIELDS (duration_minutes may be left out for the default)."""
    _check_schedule(values)
    _check_password(invigilator_password)
    session = Session(
        centre=centre,
        framework=framework,
        created_by=by,
        invigilator_password=make_password(invigilator_password),
        **{name: values[name] for name in SESSION_FIELDS if name in values},
    )
    _save_with_new_code(session)
    set_invigilators(session, invigilators)
    return session


@transaction.atomic
def update_session(
    session: Session,
    values: dict[str, Any],
    *,
    invigilators: Iterable[User] | None = None,
    invigilator_password: str = "",
) -> Session:
    """Change a session's details (and, when given, its invigilators and their password).
    While scheduled every field may change; once open only the room, the address, the
    invigilators and the password (409 `session_open` for the others); a finalised or
    cancelled session refuses everything (409 `session_locked`)."""
    session = locked_session(session)
    _refuse_locked(session)
    changed = [
        name for name in SESSION_FIELDS if name in values and getattr(session, name) != values[name]
    ]
    if session.status == Session.Status.OPEN and set(changed) - OPEN_SESSION_FIELDS:
        raise CertificationError(
            409,
            "session_open",
            _("La session est ouverte : seules la salle et l'adresse peuvent encore changer."),
        )
    if "date" in changed:
        _check_schedule({"date": values["date"]})
    for name in changed:
        setattr(session, name, values[name])
    if changed:
        session.save(update_fields=changed)
    if invigilators is not None:
        set_invigilators(session, invigilators)
    if invigilator_password:
        set_invigilator_password(session, invigilator_password)
    return session


@transaction.atomic
def cancel_session(session: Session, by: User | None = None) -> Session:
    """Cancel a scheduled session (its access code is freed); 409 once open or locked."""
    session = locked_session(session)
    if session.status != Session.Status.SCHEDULED:
        raise CertificationError(
            409,
            "not_scheduled",
            _("Seule une session programmée, pas encore ouverte, peut être annulée."),
        )
    session.status = Session.Status.CANCELLED
    session.save(update_fields=["status"])
    return session


@transaction.atomic
def new_access_code(session: Session) -> Session:
    """Give a scheduled or open session a new access code (e.g. after it was shared too
    widely); 409 for a locked session."""
    session = locked_session(session)
    _refuse_locked(session)
    _save_with_new_code(session)
    return session


@transaction.atomic
def set_invigilator_password(session: Session, raw: str) -> Session:
    """Replace the supervision page's password (stored hashed; at least 8 characters)."""
    session = locked_session(session)
    _refuse_locked(session)
    _check_password(raw)
    session.invigilator_password = make_password(raw)
    session.save(update_fields=["invigilator_password"])
    return session


@transaction.atomic
def set_invigilators(session: Session, users: Iterable[User]) -> Session:
    """The session's invigilators: platform invigilators or staff of the centre's
    organisation; anyone else is refused (422, naming them), and nothing changes."""
    session = locked_session(session)
    _refuse_locked(session)
    users = list({user.pk: user for user in users}.values())
    staff = set(
        Membership.objects.filter(
            organisation_id=session.centre.organisation_id, user__in=users
        ).values_list("user_id", flat=True)
    )
    refused = [u.email for u in users if u.pk not in staff and not has_role(u, Role.INVIGILATOR)]
    if refused:
        message = _(
            "Ces personnes ne sont ni surveillantes de certification ni membres du centre : "
            "%(emails)s."
        ) % {"emails": ", ".join(sorted(refused))}
        raise CertificationError(422, "not_invigilator", message, {"invigilators": [message]})
    session.invigilators.set(users)
    return session


@transaction.atomic
def open_session(session: Session, by: User | None = None) -> Session:
    """Open a scheduled session on or after its day, so candidates can join with the code.

    Refused (409) while the active calibration is provisional, with the assessments' code
    (`provisional_calibration`, `no_bank`)."""
    session = locked_session(session)
    if session.status != Session.Status.SCHEDULED:
        raise CertificationError(
            409, "not_scheduled", _("Seule une session programmée peut être ouverte.")
        )
    if session.date > timezone.localdate():
        raise CertificationError(
            409, "too_early", _("Une session s'ouvre le jour de l'épreuve, pas avant.")
        )
    try:
        certification_calibration(session.framework)
    except AssessmentError as error:
        raise CertificationError(error.status, error.code, error.message) from error
    session.status = Session.Status.OPEN
    session.opened_at = timezone.now()
    session.save(update_fields=["status", "opened_at"])
    return session
