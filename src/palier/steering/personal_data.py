"""The steering part of a user's personal data: their feedback and framework proposals, and
what they declared as staff or steering (figures, not people)."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.steering.models import Enrolment, Feedback, FrameworkProposal, NationalTotal, Target


def export_feedback(user: User) -> dict[str, Any]:
    """The user's opinions and proposals as they gave them."""
    return {
        "feedback": [
            {
                "subject": row.subject,
                "usefulness": row.usefulness,
                "difficulty": row.difficulty,
                "clarity": row.clarity,
                "comment": row.comment,
                "at": isoformat(row.created_at),
            }
            for row in Feedback.objects.filter(user=user)
        ],
        "framework_proposals": [
            {
                "area": row.area.code,
                "competence": row.competence.code if row.competence else None,
                "proposal": row.proposal,
                "rationale": row.rationale,
                "status": row.status,
                "at": isoformat(row.created_at),
            }
            for row in FrameworkProposal.objects.filter(user=user).select_related(
                "area", "competence"
            )
        ],
    }


def export_declarations(user: User) -> dict[str, Any]:
    """What the user entered as institution staff or steering (counts; the figures are
    about institutions, not people)."""
    return {
        "enrolments_declared": Enrolment.objects.filter(declared_by=user).count(),
        "national_totals_entered": NationalTotal.objects.filter(entered_by=user).count(),
        "target_versions_created": Target.objects.filter(created_by=user).count(),
        "proposals_moderated": FrameworkProposal.objects.filter(moderated_by=user).count(),
    }


def erase_feedback(user: User) -> None:
    """Erasure deletes the user's feedback (comments may name them); a proposal stays,
    without its author, as input to the framework."""
    Feedback.objects.filter(user=user).delete()
    FrameworkProposal.objects.filter(user=user).update(user=None)


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "steering_feedback",
        export=export_feedback,
        erase=erase_feedback,
        models=("steering.Feedback", "steering.FrameworkProposal"),
    )
    personal_data.register(
        "steering_declarations",
        export=export_declarations,
        models=("steering.Enrolment", "steering.NationalTotal", "steering.Target"),
    )
