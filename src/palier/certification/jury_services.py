"""The jury's decisions, publication with certificates, revocation and sharing of results
(docs/certification.md, "The jury"). Like every service, each call is one transaction; a
refusal is a logged CertificationError that changes nothing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.certification import codes, jury
from palier.certification.errors import CertificationError
from palier.certification.models import (
    Candidate,
    Certificate,
    JuryDecision,
    ResultShare,
    Session,
)
from palier.certification.refusals import locked_candidate, refuse
from palier.certification.signals import certificate_issued
from palier.organisations.models import Membership, Organisation

_CERTIFICATE_TRIES = 5
Status = Candidate.Status


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
    candidate = locked_candidate(candidate)
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
        refuse(409, "test_not_over", _("L'épreuve de ce candidat n'est pas terminée."), candidate)
    if hasattr(candidate, "certificate"):
        refuse(409, "already_published", _("Le certificat a déjà été délivré."), candidate)
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
        refuse(409, "session_not_finalised", _("Clôturez la session avant de publier."))
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
                certificate = Certificate.objects.create(
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
        certificate_issued.send(sender=Certificate, certificate=certificate)
        return certificate
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
        refuse(409, "not_published", _("Ce résultat n'est pas encore publié."), candidate)
    organisation = next(
        (o for o in shareable_organisations(candidate.user) if o.pk == organisation_id), None
    )
    if organisation is None:
        refuse(404, "not_found", _("Organisation introuvable."), candidate)
    share, _created = ResultShare.objects.get_or_create(
        candidate=candidate, organisation=organisation, stopped_at__isnull=True
    )
    return share


@transaction.atomic
def stop_sharing(candidate: Candidate, organisation_id: int) -> None:
    ResultShare.objects.filter(
        candidate=candidate, organisation_id=organisation_id, stopped_at__isnull=True
    ).update(stopped_at=timezone.now())
