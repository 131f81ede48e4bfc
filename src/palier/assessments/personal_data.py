"""The assessments part of a user's personal data: every test (attempt) with its answers,
its result and any recomputed result, registered into accounts' registry of personal-data
providers. Attempts are kept on erasure, attached to the account's random pseudonym only,
so there is nothing to erase here.

Questions are named by their code and version, not copied: the export must not publish the
item bank."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.assessments.models import Attempt, RecomputedResult, Response
from palier.assessments.results import stored_result


def _response(response: Response) -> dict[str, Any]:
    return {
        "position": response.position,
        "question": response.item_version.item.code,
        "question_version": response.item_version.number,
        "answer": response.raw_answer,
        "correct": response.correct,
        "credit": response.credit,
        "shown_at": isoformat(response.shown_at),
        "answered_at": isoformat(response.answered_at),
        "timed_out": response.timed_out,
        "theta_after": response.theta,
        "se_after": response.se,
    }


def _recomputation(recomputed: RecomputedResult) -> dict[str, Any]:
    return {
        "calibration": recomputed.calibration_id,
        "reason": recomputed.reason,
        "created_at": isoformat(recomputed.created_at),
        "result": stored_result(recomputed),
    }


def export_attempts(user: User) -> dict[str, Any]:
    """The user's tests (oldest first) with answers and results, and the recomputations the
    user requested as staff on other people's tests (which attempt, when, why)."""
    attempts = (
        Attempt.objects.filter(user=user)
        .order_by("started_at")
        .prefetch_related("responses__item_version__item", "recomputations")
    )
    requested = RecomputedResult.objects.filter(requested_by=user).order_by("created_at")
    return {
        "tests": [
            {
                "id": str(attempt.pk),
                "status": attempt.status,
                "areas": attempt.areas,
                "language": attempt.language,
                "accommodations": attempt.accommodations,
                "started_at": isoformat(attempt.started_at),
                "finished_at": isoformat(attempt.finished_at),
                "stop_reason": attempt.stop_reason,
                "result": stored_result(attempt),
                "answers": [
                    _response(response)
                    for response in sorted(attempt.responses.all(), key=lambda r: r.position)
                ],
                "recomputed_results": [
                    _recomputation(recomputed) for recomputed in attempt.recomputations.all()
                ],
            }
            for attempt in attempts
        ],
        "recomputations_requested": [
            {
                "test": str(recomputed.attempt_id),
                "reason": recomputed.reason,
                "created_at": isoformat(recomputed.created_at),
            }
            for recomputed in requested
        ],
    }


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "assessments",
        export=export_attempts,
        models=("assessments.Attempt", "assessments.RecomputedResult"),
    )
