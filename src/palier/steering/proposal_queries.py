"""Reads of framework proposals: a person's own proposals, and steering's moderation queue
(the author is never read for it, only their names to strip them from the texts)."""

from __future__ import annotations

from django.db.models import Case, Count, QuerySet, When
from django.http import Http404

from palier.accounts.models import User
from palier.frameworks.models import Framework
from palier.steering.choices import ProposalStatus
from palier.steering.models import FrameworkProposal
from palier.steering.redact import redact


def proposals_of(user: User) -> QuerySet[FrameworkProposal]:
    """The user's own proposals with their outcome, newest first."""
    return FrameworkProposal.objects.filter(user=user).select_related(
        "area", "competence", "framework"
    )


def proposal_queue(status: str | None) -> QuerySet[FrameworkProposal]:
    """Proposals for steering, of one status (all when None): the oldest unanswered
    first; the author is never read."""
    proposals = FrameworkProposal.objects.select_related(
        "area__framework", "competence", "framework"
    ).order_by("created_at", "pk")
    return proposals.filter(status=status) if status else proposals


def proposal_counts() -> dict[str, int]:
    """How many proposals are in each status (one query)."""
    rows = FrameworkProposal.objects.values("status").annotate(count=Count("pk"))
    counts = {row["status"]: row["count"] for row in rows}
    return {value: counts.get(value, 0) for value in ProposalStatus.values}


def access_proposal(proposal_id: int) -> FrameworkProposal:
    """A proposal, for steering (who may see every one); 404 when unknown."""
    proposal = (
        FrameworkProposal.objects.select_related("area__framework", "competence", "framework")
        .filter(pk=proposal_id)
        .first()
    )
    if proposal is None:
        raise Http404
    return proposal


def redacted_texts(proposal: FrameworkProposal) -> tuple[str, str]:
    """The proposal and its rationale as steering reads them: personal data stripped,
    the author's names included (read here and never shown)."""
    names = (
        User.objects.filter(pk=proposal.user_id).values_list("first_name", "last_name").first()
        or ()
    )
    return redact(proposal.proposal, names), redact(proposal.rationale, names)


def framework_versions(proposal: FrameworkProposal) -> QuerySet[Framework]:
    """The versions of the proposal's framework it can be linked to: drafts first."""
    return Framework.objects.filter(code=proposal.area.framework.code).order_by(
        Case(When(status=Framework.Status.DRAFT, then=0), default=1), "-created_at"
    )
