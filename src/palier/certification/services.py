"""Exam day: candidates join with the session's code, invigilators authorise them, the test
runs under the session's clock, alerts freeze a question, the session is finalised, the jury
decides and results are published with their certificates.

Every write is one transaction that locks the candidate row (`_locked`), so two devices,
a double click or a retried request cannot start two tests or store an answer twice. A
refused request raises CertificationError (4xx, a stable code), is logged without personal
data, and changes nothing.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.accounts.throttle import allow, throttle_key
from palier.assessments import services as assessments
from palier.assessments.models import Attempt
from palier.certification import codes, jury
from palier.certification.eligibility import check_eligibility
from palier.certification.errors import CertificationError
from palier.certification.models import (
    Alert,
    Candidate,
    Certificate,
    Incident,
    JuryDecision,
    ResultShare,
    Session,
)
from palier.organisations.models import Membership, Organisation

logger = logging.getLogger(__name__)

# A device that has not been seen for this long no longer blocks another one.
ACTIVE_DEVICE_SECONDS = 90
SEEN_REFRESH_SECONDS = 15
# Seconds of network slack after the deadline before an answer counts as late.
DEADLINE_GRACE_SECONDS = 5
# Code attempts per person (and per session code) within an hour.
JOIN_ATTEMPTS_PER_HOUR = 20
_CERTIFICATE_TRIES = 5
Status = Candidate.Status
ENDED_BY_INVIGILATOR = "ended_by_invigilator"
TIME_LIMIT = "time_limit"


def _refuse(status: int, code: str, message: str, candidate: Candidate | None = None) -> None:
    logger.warning(
        "certification request refused: %s (candidate %s)",
        code,
        candidate.pk if candidate is not None else "-",
    )
    raise CertificationError(status, code, message)


def _locked(candidate: Candidate) -> Candidate:
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("session", "session__framework", "user", "attempt")
        .get(pk=candidate.pk)
    )


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
        _refuse(429, "too_many_attempts", _("Trop d'essais de code : réessayez dans une heure."))
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
        _refuse(
            404,
            "unknown_code",
            _(
                "Ce code ne correspond à aucune session ouverte où vous êtes inscrit : "
                "vérifiez-le auprès du surveillant."
            ),
        )
    if candidate.status in (Status.FINISHED, Status.ENDED):
        _refuse(409, "test_over", _("Votre épreuve est terminée."), candidate)
    now = timezone.now()
    if candidate.device_token == device_token:
        candidate.device_seen_at = now
        candidate.save(update_fields=["device_seen_at"])
        return candidate
    if _device_active(candidate, now):
        _refuse(
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
        _refuse(
            409,
            "device_not_authorised",
            _("Cet appareil n'est pas celui de votre épreuve : entrez de nouveau le code."),
            candidate,
        )
    if candidate.awaiting_authorisation:
        _refuse(
            409,
            "awaiting_authorisation",
            _("Le surveillant doit autoriser la reprise de votre épreuve."),
            candidate,
        )


def _require_open(session: Session, candidate: Candidate | None = None) -> None:
    if session.status != Session.Status.OPEN:
        _refuse(409, "session_closed", _("Cette session n'est pas ouverte."), candidate)


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
    candidate = _locked(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    if candidate.attempt is not None:
        return candidate.attempt
    if candidate.status != Status.AUTHORISED:
        _refuse(
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
    candidate = _locked(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    attempt = candidate.attempt
    if attempt is None:
        _refuse(409, "not_started", _("Votre épreuve n'a pas commencé."), candidate)
    if candidate.status == Status.IN_PROGRESS:
        if _past_deadline(candidate):
            _refuse(409, "time_up", _("Le temps de l'épreuve est écoulé."), candidate)
        if candidate.alerts.filter(status=Alert.Status.OPEN).exists():
            _refuse(
                409,
                "question_frozen",
                _("Votre signalement est en cours d'examen par le surveillant."),
                candidate,
            )
    try:
        recorded = assessments.record_answer(attempt, position, raw, answer_id)
    except assessments.AssessmentError as error:
        _refuse(error.status, error.code, error.message, candidate)
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
    candidate = _locked(candidate)
    _require_open(candidate.session, candidate)
    _require_device(candidate, device_token)
    attempt = candidate.attempt
    if candidate.status != Status.IN_PROGRESS or attempt is None or attempt.is_finished:
        _refuse(409, "not_in_progress", _("Votre épreuve n'est pas en cours."), candidate)
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
    candidate = _locked(alert.candidate)
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status != Alert.Status.OPEN:
        _refuse(409, "alert_handled", _("Ce signalement a déjà été traité."), candidate)
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
    candidate = _locked(candidate)
    _require_open(candidate.session, candidate)
    if candidate.status == Status.PRESENT:
        candidate.status = Status.AUTHORISED
        candidate.authorised_at = timezone.now()
    elif candidate.awaiting_authorisation:
        candidate.awaiting_authorisation = False
    else:
        _refuse(
            409, "nothing_to_authorise", _("Ce candidat n'attend pas d'autorisation."), candidate
        )
    candidate.save()
    return candidate


@transaction.atomic
def release_device(candidate: Candidate, by: User) -> Candidate:
    """End the candidate's session on their current device, so that they can come back on
    another one (which will wait for authorisation)."""
    candidate = _locked(candidate)
    _require_open(candidate.session, candidate)
    candidate.device_token = ""
    candidate.device_seen_at = None
    candidate.save(update_fields=["device_token", "device_seen_at"])
    return candidate


@transaction.atomic
def end_test(candidate: Candidate, by: User) -> Candidate:
    """The invigilator ends a candidate's test: what was answered is kept and judged."""
    candidate = _locked(candidate)
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
    candidate = _locked(candidate)
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
        _refuse(409, "session_locked", _("La session est clôturée."))
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
            _refuse(404, "not_found", _("Candidat introuvable."))
        candidate = _locked(candidate)
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
        _refuse(
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


# --- Jury and publication -------------------------------------------------------------


def decide_automatically(candidate: Candidate) -> JuryDecision:
    """Record the automatic rules' decision (a new row only when it changes)."""
    verdict = jury.automatic_verdict(candidate)
    latest = jury.latest_decision(candidate)
    if (
        latest is not None
        and latest.decided_by_id is None
        and latest.outcome == verdict.outcome
        and latest.levels == verdict.levels
        and latest.reasons == verdict.reasons
    ):
        return latest
    if latest is not None and latest.decided_by_id is not None:
        return latest  # a reviewed decision stands
    return JuryDecision.objects.create(
        candidate=candidate,
        outcome=verdict.outcome,
        levels=verdict.levels,
        reasons=verdict.reasons,
        rule_version=jury.RULE_VERSION,
    )


def can_review(user: User, candidate: Candidate) -> bool:
    """The centre's admins and platform administrators review results."""
    if has_role(user, Role.ADMINISTRATOR):
        return True
    return Membership.objects.filter(
        user=user,
        organisation_id=candidate.session.centre.organisation_id,
        role="admin",
    ).exists()


@transaction.atomic
def review(candidate: Candidate, by: User, outcome: str, comment: str) -> JuryDecision:
    """A reviewer's decision on a result "to be reviewed" (or any decided result): certify
    with the levels of the rule, or reject; the reason is required and recorded."""
    candidate = _locked(candidate)
    if not can_review(by, candidate):
        raise CertificationError(403, "forbidden", _("Vous ne pouvez pas statuer sur ce résultat."))
    if outcome not in (JuryDecision.Outcome.CERTIFIED, JuryDecision.Outcome.REJECTED):
        raise CertificationError(
            422, "invalid_input", _("Décision inconnue."), {"outcome": [_("Certifier ou rejeter.")]}
        )
    if not comment.strip():
        raise CertificationError(
            422,
            "invalid_input",
            _("Indiquez le motif de la décision."),
            {"comment": [_("Ce champ est obligatoire.")]},
        )
    if candidate.status not in (Status.FINISHED, Status.ENDED) or candidate.attempt is None:
        _refuse(409, "test_not_over", _("L'épreuve de ce candidat n'est pas terminée."), candidate)
    if hasattr(candidate, "certificate"):
        _refuse(409, "already_published", _("Le certificat a déjà été délivré."), candidate)
    levels = jury.certified_levels(candidate.attempt)
    if outcome == JuryDecision.Outcome.CERTIFIED and not any(
        area["level"] is not None for area in levels.values()
    ):
        outcome = JuryDecision.Outcome.NOT_CERTIFIED
    return JuryDecision.objects.create(
        candidate=candidate,
        outcome=outcome,
        levels=levels if outcome != JuryDecision.Outcome.REJECTED else {},
        reasons=["review"],
        rule_version=jury.RULE_VERSION,
        decided_by=by,
        comment=comment.strip(),
    )


FINAL_OUTCOMES = (
    JuryDecision.Outcome.CERTIFIED,
    JuryDecision.Outcome.NOT_CERTIFIED,
    JuryDecision.Outcome.REJECTED,
)


@transaction.atomic
def publish_results(session: Session, by: User) -> int:
    """Make the decided results of a finalised session visible to their candidates, with a
    certificate for each certified one. Results still to be reviewed wait; calling it
    again publishes them once decided. Returns how many were published."""
    session = Session.objects.select_for_update().get(pk=session.pk)
    if session.status != Session.Status.FINALISED:
        _refuse(409, "session_not_finalised", _("Clôturez la session avant de publier."))
    published = 0
    for candidate in session.candidates.filter(published_at__isnull=True).select_for_update():
        decision = jury.latest_decision(candidate)
        if decision is None or decision.outcome not in FINAL_OUTCOMES:
            continue
        if decision.outcome == JuryDecision.Outcome.CERTIFIED:
            issue_certificate(candidate, decision)
        candidate.published_at = timezone.now()
        candidate.save(update_fields=["published_at"])
        published += 1
    return published


def issue_certificate(candidate: Candidate, decision: JuryDecision) -> Certificate:
    """The certificate of a certified decision: a fresh unguessable code and the next free
    position in the revocation list (unique constraints guard both)."""
    user = candidate.user
    for _try in range(_CERTIFICATE_TRIES):
        index = (Certificate.objects.aggregate(last=Max("status_index"))["last"] or 0) + 1
        try:
            with transaction.atomic():
                return Certificate.objects.create(
                    candidate=candidate,
                    decision=decision,
                    code=codes.new_certificate_code(),
                    holder_name=user.get_full_name() or user.email,
                    levels=decision.levels,
                    framework_version=candidate.session.framework.version,
                    status_index=index,
                )
        except IntegrityError:
            continue
    raise RuntimeError("no free certificate code or status index")


@transaction.atomic
def revoke_certificate(certificate: Certificate, by: User, reason: str) -> Certificate:
    """Revoke a certificate (the centre's admins or a platform administrator): its page
    then says "revoked" and its credential's status bit is set."""
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if not can_review(by, certificate.candidate):
        raise CertificationError(403, "forbidden", _("Vous ne pouvez pas révoquer ce certificat."))
    if not reason.strip():
        raise CertificationError(
            422,
            "invalid_input",
            _("Indiquez le motif de la révocation."),
            {"reason": [_("Ce champ est obligatoire.")]},
        )
    if certificate.revoked_at is None:
        certificate.revoked_at = timezone.now()
        certificate.revoked_by = by
        certificate.revocation_reason = reason.strip()
        certificate.save()
    return certificate


def shareable_organisations(user: User) -> list[Organisation]:
    """The candidate's organisations: those whose campaigns they joined."""
    return list(
        Organisation.objects.filter(campaigns__participations__user=user)
        .distinct()
        .order_by("name")
    )


@transaction.atomic
def share_result(candidate: Candidate, organisation_id: int) -> ResultShare:
    """Show a published result to one of the candidate's organisations (idempotent)."""
    if candidate.published_at is None:
        _refuse(409, "not_published", _("Ce résultat n'est pas encore publié."), candidate)
    organisation = next(
        (o for o in shareable_organisations(candidate.user) if o.pk == organisation_id), None
    )
    if organisation is None:
        _refuse(404, "not_found", _("Organisation introuvable."), candidate)
    share, _created = ResultShare.objects.get_or_create(
        candidate=candidate, organisation=organisation, stopped_at__isnull=True
    )
    return share


@transaction.atomic
def stop_sharing(candidate: Candidate, organisation_id: int) -> None:
    ResultShare.objects.filter(
        candidate=candidate, organisation_id=organisation_id, stopped_at__isnull=True
    ).update(stopped_at=timezone.now())
