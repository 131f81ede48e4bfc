"""The candidate's API: join a session with its code, start once authorised, answer, raise
an alert, read the published result and download the credential.

The device is the client's own identifier, sent in the `X-Palier-Device` header (a random
string the client keeps for the whole test): a second device is refused while the first is
active, as on the pages.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.security import django_auth

from palier.assessments import queries as assessment_queries
from palier.certification import credentials, queries, services
from palier.certification.access import access_candidacy
from palier.certification.credential_services import issue_credential
from palier.certification.models import Alert, Candidate
from palier.core.errors import ApiError, ErrorOut

router = Router(tags=["certification"], auth=django_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
CREDENTIAL_ERRORS = {**ERRORS, 503: ErrorOut}
DEVICE = Header(..., alias="X-Palier-Device", min_length=8, max_length=64)


class SessionJoinIn(Schema):
    code: str = Field(..., max_length=20)


class CandidateAnswerIn(Schema):
    position: int = Field(..., ge=1, le=1000)
    response: Any = None
    answer_id: uuid.UUID | None = None


class AlertIn(Schema):
    comment: str = Field("", max_length=2000)


class CandidacyOut(Schema):
    id: int
    session: int
    status: str
    awaiting_authorisation: bool
    question_frozen: bool
    seconds_left: int | None
    position: int | None
    question: dict[str, Any] | None
    published: bool


class CertifiedAreaLevelOut(Schema):
    level: int | None = Field(..., description="Certified level (1-based), null: none")
    probability: float | None = Field(..., description="P(level >= the certified level)")


class CandidacyResultOut(Schema):
    id: int
    outcome: str
    areas: dict[str, CertifiedAreaLevelOut]
    certificate_code: str | None
    certificate_revoked: bool


def _state(candidate: Candidate) -> dict[str, Any]:
    attempt = candidate.attempt
    frozen = candidate.alerts.filter(status=Alert.Status.OPEN).exists()
    running = candidate.status == Candidate.Status.IN_PROGRESS and attempt is not None
    view = assessment_queries.current_view(attempt) if running and not frozen else None
    return {
        "id": candidate.pk,
        "session": candidate.session_id,
        "status": candidate.status,
        "awaiting_authorisation": candidate.awaiting_authorisation,
        "question_frozen": frozen,
        "seconds_left": services.time_left(candidate) if running else None,
        "position": attempt.current_position if running else None,
        "question": view.as_dict() if view else None,
        "published": candidate.published_at is not None,
    }


@router.post(
    "/certification/join",
    response={200: CandidacyOut, 429: ErrorOut, **ERRORS},
    summary="Enter the session's access code (from one device); the invigilator then "
    "authorises the start",
)
def join(request: HttpRequest, payload: SessionJoinIn, device: str = DEVICE) -> dict[str, Any]:
    return _state(services.join_session(request.user, payload.code, device))


@router.get(
    "/certification/candidacies/{candidate_id}",
    response={200: CandidacyOut, **ERRORS},
    summary="Where the candidacy stands, with the current question (never its key)",
)
def get_candidacy(request: HttpRequest, candidate_id: int, device: str = DEVICE) -> dict:
    candidate = services.seen(access_candidacy(request.user, candidate_id), device)
    if candidate.status == Candidate.Status.IN_PROGRESS:
        candidate = services.expire(candidate)
    return _state(candidate)


@router.post(
    "/certification/candidacies/{candidate_id}/start",
    response={200: CandidacyOut, **ERRORS},
    summary="Start the test once the invigilator authorised it (idempotent)",
)
def start(request: HttpRequest, candidate_id: int, device: str = DEVICE) -> dict[str, Any]:
    candidate = access_candidacy(request.user, candidate_id)
    services.start_test(candidate, device, request.LANGUAGE_CODE[:2])
    return _state(access_candidacy(request.user, candidate_id))


@router.post(
    "/certification/candidacies/{candidate_id}/answers",
    response={200: CandidacyOut, **ERRORS},
    summary="Answer the current question; refused after the end, after the time limit, "
    "while an alert freezes it, or from another device",
)
def answer(
    request: HttpRequest, candidate_id: int, payload: CandidateAnswerIn, device: str = DEVICE
) -> dict[str, Any]:
    candidate = access_candidacy(request.user, candidate_id)
    services.answer(candidate, device, payload.position, payload.response, payload.answer_id)
    return _state(access_candidacy(request.user, candidate_id))


@router.post(
    "/certification/candidacies/{candidate_id}/alerts",
    response={200: CandidacyOut, **ERRORS},
    summary='"Signaler un problème": the question is frozen until the invigilator decides',
)
def alert(
    request: HttpRequest, candidate_id: int, payload: AlertIn, device: str = DEVICE
) -> dict[str, Any]:
    candidate = access_candidacy(request.user, candidate_id)
    services.raise_alert(candidate, device, payload.comment)
    return _state(access_candidacy(request.user, candidate_id))


@router.get(
    "/certification/candidacies/{candidate_id}/result",
    response={200: CandidacyResultOut, **ERRORS},
    summary="The published result: the jury's decision and the certified level per area",
)
def result(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    candidate = access_candidacy(request.user, candidate_id)
    decision = queries.published_decision(candidate)
    if decision is None:
        raise ApiError(409, "not_published", _("Ce résultat n'est pas encore publié."))
    certificate = getattr(candidate, "certificate", None)
    return {
        "id": candidate.pk,
        "outcome": decision.outcome,
        "areas": {
            code: {"level": area.get("level"), "probability": area.get("probability")}
            for code, area in decision.levels.items()
        },
        "certificate_code": certificate.code if certificate else None,
        "certificate_revoked": bool(certificate and certificate.is_revoked),
    }


class CredentialOut(Schema):
    context: list[str] = Field(..., alias="@context")
    id: str = Field(..., description="data:application/vc+jwt,<the signed VC-JWT>")
    type: str = Field(..., description="EnvelopedVerifiableCredential")


@router.get(
    "/certification/candidacies/{candidate_id}/credential",
    response={200: CredentialOut, **CREDENTIAL_ERRORS},
    summary="The certificate as an Open Badges 3.0 credential: the VC-JWT signed by the "
    "platform, wrapped as a VC 2.0 EnvelopedVerifiableCredential (404 without a valid "
    "published certificate)",
    by_alias=True,
)
def credential(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    candidate = access_candidacy(request.user, candidate_id)
    certificate = credentials.downloadable_certificate(candidate)
    if certificate is None:
        raise ApiError(404, "not_found", _("Aucun certificat valide pour cette candidature."))
    return credentials.enveloped(issue_credential(certificate))
