"""Candidates of a session: enrolled one by one or from a CSV file (all or nothing), and
removed while still expected (nothing of exam day is ever deleted). With
certification.centre_services, the only writer of the centres' rows before exam day.

- The account must exist (matched by its e-mail address, whatever its case) and pass
  eligibility.check_eligibility; a candidate certified less than 12 months ago needs an
  override reason, recorded with who gave it.
- Enrolment is open while the session is scheduled or open.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.certification.centre_services import ACTIVE_STATUSES, locked_session
from palier.certification.eligibility import check_eligibility, recent_certificate
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Session

if TYPE_CHECKING:
    from palier.certification.candidate_import import ImportPlan

__all__ = [
    "MAX_EXTRA_TIME_PERCENT",
    "account_for",
    "candidate_row",
    "check_extra_time",
    "enrol_candidate",
    "import_candidate_data",
    "import_candidates",
    "remove_candidate",
]

MAX_EXTRA_TIME_PERCENT = 200


def _refuse_enrolment_closed(session: Session) -> None:
    if session.status not in ACTIVE_STATUSES:
        raise CertificationError(
            409,
            "session_locked",
            _("Les inscriptions sont fermées : la session est clôturée ou annulée."),
        )


def check_extra_time(percent: int) -> None:
    """422 unless 0 <= percent <= 200."""
    if not 0 <= percent <= MAX_EXTRA_TIME_PERCENT:
        message = _("Le temps supplémentaire va de 0 à %(max)d %%.") % {
            "max": MAX_EXTRA_TIME_PERCENT
        }
        raise CertificationError(
            422, "invalid_extra_time", message, {"extra_time_percent": [message]}
        )


def account_for(email: str) -> User:
    """The account with this e-mail address (422 `unknown_account` if there is none)."""
    user = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if user is None:
        message = _(
            "Aucun compte Palier n'utilise l'adresse « %(email)s » : le candidat crée d'abord "
            "son compte."
        ) % {"email": (email or "").strip()}
        raise CertificationError(422, "unknown_account", message, {"email": [message]})
    return user


def candidate_row(
    session: Session,
    user: User,
    *,
    extra_time_percent: int,
    screen_reader: bool,
    override_reason: str,
    by: User | None,
) -> Candidate:
    """An unsaved candidacy, after the eligibility check (raises CertificationError). The
    override reason is recorded only when it was needed (a recent certificate)."""
    check_extra_time(extra_time_percent)
    reason = (override_reason or "").strip()
    check_eligibility(user, session.framework, override_reason=reason)
    overridden = bool(reason) and recent_certificate(user, session.framework) is not None
    return Candidate(
        session=session,
        user=user,
        extra_time_percent=extra_time_percent,
        screen_reader=screen_reader,
        override_reason=reason if overridden else "",
        override_by=by if overridden else None,
    )


def _already_enrolled(user: User) -> CertificationError:
    message = _("%(email)s est déjà inscrit à cette session.") % {"email": user.email}
    return CertificationError(409, "already_enrolled", message, {"email": [message]})


@transaction.atomic
def enrol_candidate(
    session: Session,
    email: str,
    extra_time_percent: int = 0,
    screen_reader: bool = False,
    override_reason: str = "",
    by: User | None = None,
) -> Candidate:
    """Enrol the account with `email` (it must exist and be eligible; a candidate certified
    less than 12 months ago needs `override_reason`, recorded with `by`)."""
    session = locked_session(session)
    _refuse_enrolment_closed(session)
    user = account_for(email)
    if Candidate.objects.filter(session=session, user=user).exists():
        raise _already_enrolled(user)
    candidate = candidate_row(
        session,
        user,
        extra_time_percent=extra_time_percent,
        screen_reader=screen_reader,
        override_reason=override_reason,
        by=by,
    )
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError as error:
        raise _already_enrolled(user) from error
    return candidate


@transaction.atomic
def remove_candidate(candidate: Candidate) -> None:
    """Withdraw a candidacy while the candidate is still expected (409 once they arrived)."""
    candidate = Candidate.objects.select_for_update().select_related("session").get(pk=candidate.pk)
    _refuse_enrolment_closed(candidate.session)
    if candidate.status != Candidate.Status.EXPECTED:
        raise CertificationError(
            409,
            "candidate_arrived",
            _("Ce candidat est déjà arrivé : il ne peut plus être retiré de la session."),
        )
    candidate.delete()


@transaction.atomic
def import_candidates(
    session: Session, upload: IO[bytes], *, dry_run: bool, by: User | None
) -> ImportPlan:
    """Enrol (or update the needs of) the candidates of a CSV file, all or nothing; with
    `dry_run`, only check and report. Raises ImportRefused (every error by row and column)
    or CertificationError; then nothing is written."""
    # Imported here: candidate_import builds its rows with candidate_row, above.
    from palier.certification.candidate_import import read_limited

    return import_candidate_data(session, read_limited(upload), dry_run=dry_run, by=by)


@transaction.atomic
def import_candidate_data(
    session: Session, data: bytes, *, dry_run: bool, by: User | None
) -> ImportPlan:
    """`import_candidates` on the file's bytes (a confirmed dry run's file)."""
    from palier.certification.candidate_import import plan_import

    # Locked, so that two imports of one list do not both enrol a candidate.
    session = locked_session(session)
    _refuse_enrolment_closed(session)
    plan = plan_import(session, data, by)
    if dry_run:
        return plan
    try:
        with transaction.atomic():
            Candidate.objects.bulk_create(plan.to_create)
            Candidate.objects.bulk_update(
                plan.to_update,
                ["extra_time_percent", "screen_reader", "override_reason", "override_by"],
            )
    except IntegrityError as error:
        raise CertificationError(
            409, "import_conflict", _("La liste a changé pendant l'import : réessayez.")
        ) from error
    return plan
