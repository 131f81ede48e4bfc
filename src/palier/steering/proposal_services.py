"""Writes of framework proposals: anyone signed in proposes a change; steering accepts or
rejects it with a note, and links an accepted one to the framework version that takes it
up (usually a draft). A proposal is moderated once; the link can be set or changed later.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.frameworks.models import Area, Competence, Framework
from palier.steering.choices import ProposalStatus
from palier.steering.feedback_services import FeedbackError, throttled
from palier.steering.models import COMMENT_MAX_LENGTH, FrameworkProposal

# Proposals one person may send in an hour (each is read by a person in steering).
PROPOSALS_PER_HOUR = 5


def _text(value: str, label: str, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise FeedbackError(
            "missing_text", _("%(label)s : ce champ est obligatoire.") % {"label": label}
        )
    if len(value) > COMMENT_MAX_LENGTH:
        raise FeedbackError(
            "text_too_long",
            _("%(label)s : %(limit)s caractères au plus.")
            % {"label": label, "limit": COMMENT_MAX_LENGTH},
        )
    return value


@transaction.atomic
def submit_proposal(
    user: User, *, area: Area, competence: Competence | None, proposal: str, rationale: str
) -> FrameworkProposal:
    """Record a proposal to change an area (and optionally one of its competences)."""
    if competence is not None and competence.area_id != area.pk:
        raise FeedbackError(
            "competence_outside_area", _("Cette compétence n'est pas de ce domaine.")
        )
    proposal = _text(proposal, _("Proposition"))
    rationale = _text(rationale, _("Justification"))
    throttled("steering-proposal", user, PROPOSALS_PER_HOUR)
    return FrameworkProposal.objects.create(
        user=user, area=area, competence=competence, proposal=proposal, rationale=rationale
    )


def _check_version(proposal: FrameworkProposal, framework: Framework) -> None:
    """A proposal is taken up by a version of the framework its area belongs to."""
    if framework.code != proposal.area.framework.code:
        raise FeedbackError(
            "other_framework", _("Choisissez une version du référentiel de cette proposition.")
        )


@transaction.atomic
def moderate_proposal(
    proposal: FrameworkProposal,
    moderator: User,
    *,
    accepted: bool,
    note: str,
    framework: Framework | None = None,
) -> FrameworkProposal:
    """Accept or reject a proposal that was not moderated yet, with a note for its author;
    an accepted one may be linked to a framework version at once."""
    proposal = (
        FrameworkProposal.objects.select_for_update(of=("self",))
        .select_related("area__framework")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.SUBMITTED:
        raise FeedbackError(
            "already_moderated", _("Cette proposition a déjà reçu une réponse."), status=409
        )
    note = _text(note, _("Réponse à l'auteur"))
    if framework is not None:
        if not accepted:
            raise FeedbackError(
                "link_needs_acceptance",
                _("Seule une proposition retenue est rattachée à une version du référentiel."),
            )
        _check_version(proposal, framework)
    proposal.status = ProposalStatus.ACCEPTED if accepted else ProposalStatus.REJECTED
    proposal.moderation_note = note
    proposal.moderated_by = moderator
    proposal.moderated_at = timezone.now()
    proposal.framework = framework
    proposal.save(
        update_fields=["status", "moderation_note", "moderated_by", "moderated_at", "framework"]
    )
    return proposal


@transaction.atomic
def link_proposal(proposal: FrameworkProposal, framework: Framework) -> FrameworkProposal:
    """Link an accepted proposal to the framework version that takes it up (or change it)."""
    proposal = (
        FrameworkProposal.objects.select_for_update(of=("self",))
        .select_related("area__framework")
        .get(pk=proposal.pk)
    )
    if proposal.status != ProposalStatus.ACCEPTED:
        raise FeedbackError(
            "link_needs_acceptance",
            _("Seule une proposition retenue est rattachée à une version du référentiel."),
            status=409,
        )
    _check_version(proposal, framework)
    proposal.framework = framework
    proposal.save(update_fields=["framework"])
    return proposal
