"""Positioning-test API: same behaviour as the pages (start, state, answer, result)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.security import django_auth

from palier.assessments import queries, services
from palier.assessments.access import access_attempt, access_shown_version
from palier.assessments.models import Attempt
from palier.assessments.results import result_of, synthetic_calibration
from palier.core.errors import ApiError, ErrorOut
from palier.items import services as item_services

router = Router(tags=["assessments"], auth=django_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_AREAS = 10


class StartIn(Schema):
    areas: list[str] | None = Field(None, max_length=MAX_AREAS)
    language: str = Field("fr", pattern="^(fr|en)$")


class AnswerIn(Schema):
    position: int = Field(..., ge=1, le=1000)
    response: Any = None
    answer_id: uuid.UUID | None = None


class AttemptOut(Schema):
    id: uuid.UUID
    status: str
    areas: list[str]
    language: str
    position: int | None
    questions_left_at_most: int
    questions_left_estimate: int | None
    question: dict[str, Any] | None
    result_url: str | None


class AreaLevelOut(Schema):
    theta: float
    se: float
    level: int = Field(..., description="Level of the estimate (1-based)")
    level_probabilities: list[float] = Field(..., description="Probability of each level")
    precision: str
    level_probability: float = Field(
        ...,
        description="Probability that the reported level is the right one; when "
        "between_levels is set, that the right level is one of the two",
    )
    between_levels: list[int] | None = Field(
        ...,
        description="null when one level is reported; else the two adjacent levels the "
        "learner is between (no level reaches report_threshold)",
    )


class CompetenceScoreOut(Schema):
    area: str
    answered: int
    observed: float
    expected: float


class AttemptResultOut(Schema):
    schema_: int = Field(..., alias="schema")
    engine_version: str
    calibration: int | None
    stop_reason: str
    items: int | None
    report_threshold: float = Field(
        ..., description="Probability from which one level is reported alone"
    )
    areas: dict[str, AreaLevelOut]
    competences: dict[str, CompetenceScoreOut]


class QuestionReviewOut(Schema):
    position: int
    item: str
    correct: bool | None
    feedback: str


class PositioningResultOut(Schema):
    id: uuid.UUID
    finished_at: str
    synthetic_calibration: bool = Field(
        ...,
        description="Scored with a calibration estimated on simulated data (demonstration): "
        "levels and probabilities are only indicative",
    )
    result: AttemptResultOut | None
    review: list[QuestionReviewOut]


def _state(attempt: Attempt) -> dict[str, Any]:
    view = queries.current_view(attempt)
    return {
        "id": attempt.pk,
        "status": attempt.status,
        "areas": attempt.areas,
        "language": attempt.language,
        "position": None if attempt.is_finished else attempt.current_position,
        "questions_left_at_most": queries.questions_left_at_most(attempt),
        "questions_left_estimate": None
        if attempt.is_finished
        else queries.progress(attempt).estimated_left,
        "question": view.as_dict() if view else None,
        "result_url": f"/api/v1/assessments/{attempt.pk}/result" if attempt.is_finished else None,
    }


@router.post(
    "/assessments",
    response={201: AttemptOut, **ERRORS},
    summary="Start a positioning test (all areas, or the areas named)",
)
def start(request: HttpRequest, payload: StartIn) -> Status:
    ongoing = queries.in_progress(request.user)
    if ongoing is not None:
        raise ApiError(
            409,
            "attempt_in_progress",
            _("Un test est déjà en cours : reprenez-le."),
            {"id": [str(ongoing.pk)]},
        )
    attempt = services.start_attempt(request.user, payload.areas, payload.language)
    return Status(201, _state(attempt))


@router.get(
    "/assessments/{attempt_id}",
    response={200: AttemptOut, **ERRORS},
    summary="State of a test, with the current question (never its key)",
)
def get_attempt(request: HttpRequest, attempt_id: str) -> dict[str, Any]:
    return _state(access_attempt(request.user, attempt_id))


@router.post(
    "/assessments/{attempt_id}/answers",
    response={200: AttemptOut, **ERRORS},
    summary='Answer the current question (response null: "I don\'t know"); a '
    "retried request with the same answer_id is stored once",
)
def answer(request: HttpRequest, attempt_id: str, payload: AnswerIn) -> dict[str, Any]:
    attempt = access_attempt(request.user, attempt_id)
    recorded = services.record_answer(
        attempt, payload.position, payload.response, payload.answer_id
    )
    return _state(recorded.attempt)


@router.get(
    "/assessments/{attempt_id}/result",
    response={200: PositioningResultOut, **ERRORS},
    summary="Result of a finished test: per area the level with the probability that it is "
    "the right one (or the two levels the learner is between), and the review of each question",
    by_alias=True,
)
def result(request: HttpRequest, attempt_id: str) -> dict[str, Any]:
    attempt = access_attempt(request.user, attempt_id)
    if not attempt.is_finished:
        raise ApiError(409, "attempt_in_progress", _("Le test n'est pas terminé."))
    return {
        "id": str(attempt.pk),
        "finished_at": attempt.finished_at.isoformat(),
        "synthetic_calibration": synthetic_calibration(attempt),
        "result": typed.to_json() if (typed := result_of(attempt)) is not None else None,
        "review": [
            {
                "position": row["position"],
                "item": row["version"].item.code,
                "correct": row["correct"],
                "feedback": row["feedback"],
            }
            for row in queries.review(attempt)
        ],
    }


class ReportIn(Schema):
    category: str = Field(..., max_length=32)
    comment: str = Field("", max_length=2000)


class ReportOut(Schema):
    id: int
    status: str


@router.post(
    "/items/versions/{version_id}/reports",
    response={201: ReportOut, 429: ErrorOut, **ERRORS},
    summary="Report a problem on a question the learner was shown (one open report per "
    "question; a limited number per hour)",
)
def report_problem(request: HttpRequest, version_id: int, payload: ReportIn) -> Status:
    version = access_shown_version(request.user, version_id)
    report = item_services.report_problem(request.user, version, payload.category, payload.comment)
    return Status(201, {"id": report.pk, "status": report.status})
