"""Exam day: candidates join with the session's code, invigilators authorise them, the test
runs under the session's clock, alerts freeze a question, the session is finalised, the jury
decides and results are published with their certificates.

Every write is one transaction that locks the candidate row (`_locked`), so two devices,
a double click or a retried request cannot start two tests or store an answer twice. A
refused request raises CertificationError (4xx, a stable code), is logged without personal
data, and changes nothing.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.throttle import allow, throttle_key
from palier.assessments import services as assessments
from palier.assessments.models import Attempt
from palier.certification import codes
from palier.certification.eligibility import check_eligibility
from palier.certification.errors import CertificationError
from palier.certification.jury_services import decide_automatically
from palier.certification.models import (
    Alert,
    Candidate,
    Incident,
    Session,
)
from palier.certification.refusals import locked_candidate, refuse

# A device that has not been seen for this long no longer blocks another one.
ACTIVE_DEVICE_SECONDS = 90
SEEN_REFRESH_SECONDS = 15
# Seconds of network slack after the deadline before an answer counts as late.
DEADLINE_GRACE_SECONDS = 5
# Code attempts per person (and per session code) within an hour.
JOIN_ATTEMPTS_PER_HOUR = 20
Status = Candidate.Status
ENDED_BY_INVIGILATOR = "ended_by_invigilator"
TIME_LIMIT = "time_limit"


def new_device_token() -> str:
    return secrets.token_urlsafe(24)


def _device_active(candidate: Candidate, now) -> bool:
    return bool(candidate.device_token) and (
        candidate.device_seen_at is not None
        and (now - candidate.device_seen_at).total_seconds() < ACTIVE_DEVICE_SECONDS
    )


# --- Candidates -----------------------------------------------------------------------


@transaction.atomic
def join_session(user: User, typed_code: str, device_token: str) -> Candidate:
    """The candidate arrives: the code of an open session they are enrolled in, from this
    device. A second device is refused while the first is active; a new device (or a return
    after a disconnection) waits for the invigilator's authorisation."""
    if not allow([(throttle_key("certification-join", str(user.pk)), JOIN_ATTEMPTS_PER_HOUR)]):
        refuse(429, "too_many_attempts", _("Trop d'essais de code : réessayez dans une heure."))
    code = codes.normalise_access_code(typed_code)
    candidate = (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("session__framework")
        .filter(
            user=user,
            session__access_code=code or "",
            session__status=Session.Status.OPEN,
        )
        .first()
    )
    if candidate is None:
        refuse(
            404,
            "unknown_code",
            _(
                "Ce code ne correspond à aucune session ouverte où vous êtes inscrit : "
                "vérifiez-le auprès du surveillant."
            ),
        )
    if candidate.status in (Status.FINISHED, Status.ENDED):
        refuse(409, "test_over", _("Votre épreuve est terminée."), candidate)
    now = timezone.now()
    if candidate.device_token == device_token:
        candidate.device_seen_at = now
        candidate.save(update_fields=["device_seen_at"])
        return candidate
    if _device_active(candidate, now):
        refuse(
            409,
            "other_device_active",
            _(
                "Votre épreuve est déjà ouverte sur un autre appareil. Demandez au surveillant "
                "de fermer l'autre session pour continuer ici."
            ),
            candidate,
        )
    check_eligibility(user, candidate.session.framework, override_reason=candidate.override_reason)
    if candidate.status == Status.EXPECTED:
        candidate.status = Status.PRESENT
        candidate.arrived_at = now
    elif candidate.status in (Status.AUTHORISED, Status.IN_PROGRESS):
        candidate.awaiting_authorisation = True
    candidate.device_token = device_token
    candidate.device_seen_at = now
    candidate.save()
    return candidate


def _require_device(candidate: Candidate, device_token: str) -> None:
    if not device_token or candidate.device_token != device_token:
        refuse(
            409,
            "device_not_authorised",
            _("Cet appareil n'est pas celui de votre épreuve : entrez de nouveau le code."),
            candidate,
        )
    if candidate.awaiting_authorisation:
        refuse(
            409,
            "awaiting_authorisation",
            _("Le surveillant doit autoriser la reprise de votre épreuve."),
            candidate,
        )


def _require_open(session: Session, candidate: Candidate | None = None) -> None:
    if session.status != Session.Status.OPEN:
        refuse(409, "session_closed", _("Cette session n'est pas ouverte."), candidate)


def seen(candidate: Candidate, device_token: str) -> Candidate:
    """The candidate's device is still there (each page or poll): keeps it the active one.
    Written at most every `SEEN_REFRESH_SECONDS`, so polling pages cost no write each time."""
    now = timezone.now()
    if not device_token or candidate.device_token != device_token:
        return candidate
    last = candidate.device_seen_at
    if last is None or (now - last).total_seconds() >= SEEN_REFRESH_SECONDS:
        Candidate.objects.filter(pk=candidate.pk, device_token=device_token).update(
            device_seen_at=now
        )
        candidate.device_seen_at = now
    return candidate


@transaction.atomic
def start_test(candidate: Candidate, device_token: str, language: str = "fr") -> Attempt:
    """Start the candidate's certification test once authorised (idempotent)."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    if candidate.attempt is not None:
        return candidate.attempt
    if candidate.status != Status.AUTHORISED:
        refuse(
            409,
            "not_authorised",
            _("Le surveillant n'a pas encore autorisé le début de votre épreuve."),
            candidate,
        )
    session = candidate.session
    check_eligibility(candidate.user, session.framework, override_reason=candidate.override_reason)
    try:
        attempt = assessments.start_certification_attempt(
            candidate.user,
            session.framework,
            screen_reader=candidate.screen_reader,
            language=language,
        )
    except assessments.AssessmentError as error:
        raise CertificationError(error.status, error.code, error.message) from error
    now = timezone.now()
    minutes = session.duration_minutes * (100 + candidate.extra_time_percent) / 100
    candidate.attempt = attempt
    candidate.status = Status.IN_PROGRESS
    candidate.deadline = now + timedelta(minutes=minutes)
    candidate.device_seen_at = now
    candidate.save()
    return attempt


def time_left(candidate: Candidate) -> int | None:
    """Seconds left on the candidate's clock (server time), None before the start."""
    if candidate.deadline is None:
        return None
    return max(0, int((candidate.deadline - timezone.now()).total_seconds()))


def _past_deadline(candidate: Candidate) -> bool:
    return candidate.deadline is not None and timezone.now() > candidate.deadline + timedelta(
        seconds=DEADLINE_GRACE_SECONDS
    )


@transaction.atomic
def answer(
    candidate: Candidate,
    device_token: str,
    position: int,
    raw: Any,
    answer_id: uuid.UUID | None = None,
) -> assessments.Recorded:
    """Record the candidate's answer to the current question (the positioning test's
    guarantees: idempotent per answer id and per position). Refused, changing nothing:
    after the end, after the time limit, while an alert freezes the question, from another
    device, or when the session is not open."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    attempt = candidate.attempt
    if attempt is None:
        refuse(409, "not_started", _("Votre épreuve n'a pas commencé."), candidate)
    if candidate.status == Status.IN_PROGRESS:
        if _past_deadline(candidate):
            refuse(409, "time_up", _("Le temps de l'épreuve est écoulé."), candidate)
        if candidate.alerts.filter(status=Alert.Status.OPEN).exists():
            refuse(
                409,
                "question_frozen",
                _("Votre signalement est en cours d'examen par le surveillant."),
                candidate,
            )
    try:
        recorded = assessments.record_answer(attempt, position, raw, answer_id)
    except assessments.AssessmentError as error:
        refuse(error.status, error.code, error.message, candidate)
    if recorded.attempt.is_finished and candidate.status == Status.IN_PROGRESS:
        candidate.attempt = recorded.attempt
        _close(candidate, Status.FINISHED)
    return recorded


def _close(candidate: Candidate, status: str, by: User | None = None) -> None:
    """The candidate's test is over: status, and the jury's automatic decision."""
    candidate.status = status
    if status == Status.ENDED:
        candidate.ended_at = timezone.now()
        candidate.ended_by = by
    candidate.save()
    decide_automatically(candidate)


@transaction.atomic
def raise_alert(candidate: Candidate, device_token: str, comment: str = "") -> Alert:
    """ "Signaler un problème": freezes the current question until the invigilator decides
    (one open alert at a time; a second request returns it)."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    attempt = candidate.attempt
    if candidate.status != Status.IN_PROGRESS or attempt is None or attempt.is_finished:
        refuse(409, "not_in_progress", _("Votre épreuve n'est pas en cours."), candidate)
    existing = candidate.alerts.filter(status=Alert.Status.OPEN).first()
    if existing is not None:
        return existing
    return Alert.objects.create(
        candidate=candidate,
        position=attempt.current_position,
        item_version_id=attempt.current_version_id,
        comment=comment.strip()[:2000],
    )


def _open_alert(alert: Alert) -> tuple[Alert, Candidate]:
    candidate = locked_candidate(alert.candidate)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        refuse(409, "alert_handled", _("Ce signalement a déjà été traité."), candidate)
    return alert, candidate


def _settle(alert: Alert, candidate: Candidate, status: str, by: User) -> Alert:
    """Close the alert and give the candidate back the time the question was frozen."""
    now = timezone.now()
    alert.status = status
    alert.handled_by = by
    alert.handled_at = now
    alert.save()
    if candidate.deadline is not None:
        candidate.deadline += now - alert.raised_at
        candidate.save(update_fields=["deadline"])
    return alert


@transaction.atomic
def validate_alert(alert: Alert, by: User) -> Alert:
    """The problem is real: the question is replaced by another of the same area and does
    not count."""
    alert, candidate = _open_alert(alert)
    attempt = candidate.attempt
    if (
        attempt is not None
        and not attempt.is_finished
        and attempt.current_position == alert.position
        and attempt.current_version_id == alert.item_version_id
    ):
        candidate.attempt = assessments.withdraw_current_question(attempt)
    alert = _settle(alert, candidate, Alert.Status.VALIDATED, by)
    if candidate.attempt is not None and candidate.attempt.is_finished:
        _close(candidate, Status.FINISHED)  # no item left to replace it with
    return alert


@transaction.atomic
def dismiss_alert(alert: Alert, by: User) -> Alert:
    """No problem found: the candidate answers the same question."""
    alert, candidate = _open_alert(alert)
    return _settle(alert, candidate, Alert.Status.DISMISSED, by)


# --- Invigilators ---------------------------------------------------------------------


@transaction.atomic
def authorise(candidate: Candidate, by: User) -> Candidate:
    """Let a present candidate start, or an interrupted one resume on their new device."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    if candidate.status == Status.PRESENT:
        candidate.status = Status.AUTHORISED
        candidate.authorised_at = timezone.now()
    elif candidate.awaiting_authorisation:
        candidate.awaiting_authorisation = False
    else:
        refuse(
            409, "nothing_to_authorise", _("Ce candidat n'attend pas d'autorisation."), candidate
        )
    candidate.save()
    return candidate


@transaction.atomic
def release_device(candidate: Candidate, by: User) -> Candidate:
    """End the candidate's session on their current device, so that they can come back on
    another one (which will wait for authorisation)."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    candidate.device_token = ""
    candidate.device_seen_at = None
    candidate.save(update_fields=["device_token", "device_seen_at"])
    return candidate


@transaction.atomic
def end_test(candidate: Candidate, by: User) -> Candidate:
    """The invigilator ends a candidate's test: what was answered is kept and judged."""
    candidate = locked_candidate(candidate)
    _require_open(candidate.session, candidate)
    if candidate.status in (Status.FINISHED, Status.ENDED):
        return candidate
    if candidate.attempt is not None:
        candidate.attempt = assessments.end_attempt(candidate.attempt, ENDED_BY_INVIGILATOR)
    _close(candidate, Status.ENDED, by)
    return candidate


@transaction.atomic
def expire(candidate: Candidate) -> Candidate:
    """Finish the test of a candidate whose time is up (any page or poll may call it)."""
    candidate = locked_candidate(candidate)
    if candidate.status != Status.IN_PROGRESS or not _past_deadline(candidate):
        return candidate
    candidate.attempt = assessments.end_attempt(candidate.attempt, TIME_LIMIT)
    _close(candidate, Status.FINISHED)
    return candidate


def expire_due(session: Session) -> None:
    """Finish every test of the session whose time is up."""
    now = timezone.now() - timedelta(seconds=DEADLINE_GRACE_SECONDS)
    for candidate in session.candidates.filter(status=Status.IN_PROGRESS, deadline__lt=now):
        expire(candidate)


@transaction.atomic
def add_incident(
    session: Session,
    by: User,
    category: str,
    comment: str,
    candidate: Candidate | None = None,
) -> Incident:
    if session.is_locked:
        refuse(409, "session_locked", _("La session est clôturée."))
    if category not in Incident.Category.values:
        raise CertificationError(
            422,
            "invalid_input",
            _("Catégorie inconnue."),
            {"category": [_("Choisissez une catégorie.")]},
        )
    if not comment.strip():
        raise CertificationError(
            422,
            "invalid_input",
            _("Décrivez l'incident."),
            {"comment": [_("Ce champ est obligatoire.")]},
        )
    if candidate is not None:
        if candidate.session_id != session.pk:
            refuse(404, "not_found", _("Candidat introuvable."))
        candidate = locked_candidate(candidate)
    incident = Incident.objects.create(
        session=session,
        candidate=candidate,
        category=category,
        comment=comment.strip(),
        created_by=by,
    )
    if candidate is not None and candidate.status in (Status.FINISHED, Status.ENDED):
        decide_automatically(candidate)
    return incident


@transaction.atomic
def finalise_session(session: Session, by: User, present: set[int], report: str) -> Session:
    """The invigilator confirms who was present and writes the report; the session is then
    locked. Refused while a test is still running (end it or wait for its time)."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    _require_open(session)
    if not report.strip():
        raise CertificationError(
            422,
            "invalid_input",
            _("Rédigez le rapport de session."),
            {"report": [_("Ce champ est obligatoire.")]},
        )
    expire_due(session)
    running = session.candidates.filter(status__in=(Status.IN_PROGRESS, Status.AUTHORISED))
    running = running.exclude(status=Status.AUTHORISED, attempt__isnull=True).count()
    if running:
        refuse(
            409,
            "tests_running",
            _("Des épreuves sont encore en cours : attendez leur fin ou arrêtez-les."),
        )
    for candidate in session.candidates.select_for_update():
        candidate.present_confirmed = candidate.pk in present
        if candidate.status in (Status.EXPECTED, Status.PRESENT, Status.AUTHORISED):
            candidate.status = Status.ABSENT if candidate.pk not in present else candidate.status
        candidate.save(update_fields=["present_confirmed", "status"])
    session.status = Session.Status.FINALISED
    session.finalised_at = timezone.now()
    session.finalised_by = by
    session.report = report.strip()
    session.save()
    return session
