"""Certification centres' staff API: sessions, candidates and results (a signed-in member or
the organisation's token, as in the campaigns API).

Authorisation happens in `_centre` and `_session`: an organisation that is not an active
centre, a session of another centre, or anything the caller cannot reach answers 404, as
one that does not exist. A token acts with an admin's rights; a member reads and gets 403 on
changes. The invigilator password is write-only (never returned).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from palier.accounts.models import User
from palier.certification import centre_services, enrolment
from palier.certification.access import (
    access_centre_session,
    access_session_candidate,
    centre_of,
)
from palier.certification.centre_queries import (
    centre_sessions,
    session_candidates,
    session_results,
)
from palier.certification.forms import MAX_DURATION_MINUTES, MAX_EXPECTED_CANDIDATES
from palier.certification.models import (
    ADDRESS_MAX_LENGTH,
    ROOM_MAX_LENGTH,
    Candidate,
    Centre,
    Session,
)
from palier.core.errors import ApiError, ErrorOut
from palier.frameworks.queries import current_framework
from palier.organisations.access import access_api_organisation, request_token
from palier.organisations.api import ERRORS, STAFF_AUTH

router = Router(tags=["certification centres"])
CHANGE_ERRORS = {409: ErrorOut, **ERRORS}


# --- schemas ------------------------------------------------------------------------------


class SessionIn(Schema):
    date: dt.date
    start_time: dt.time
    room: str = Field(..., min_length=1, max_length=ROOM_MAX_LENGTH)
    address: str = Field(..., min_length=1, max_length=ADDRESS_MAX_LENGTH)
    expected_candidates: int = Field(..., ge=1, le=MAX_EXPECTED_CANDIDATES)
    duration_minutes: int = Field(45, ge=10, le=MAX_DURATION_MINUTES)
    invigilator_password: str = Field(..., min_length=8, max_length=128)
    invigilators: list[str] = Field([], max_length=20, description="E-mail addresses")


class SessionPatch(Schema):
    date: dt.date | None = None
    start_time: dt.time | None = None
    room: str | None = Field(None, min_length=1, max_length=ROOM_MAX_LENGTH)
    address: str | None = Field(None, min_length=1, max_length=ADDRESS_MAX_LENGTH)
    expected_candidates: int | None = Field(None, ge=1, le=MAX_EXPECTED_CANDIDATES)
    duration_minutes: int | None = Field(None, ge=10, le=MAX_DURATION_MINUTES)
    invigilator_password: str | None = Field(None, min_length=8, max_length=128)
    invigilators: list[str] | None = Field(None, max_length=20)


class CertificationSessionOut(Schema):
    id: int
    framework: str
    date: dt.date
    start_time: dt.time
    room: str
    address: str
    expected_candidates: int
    duration_minutes: int
    access_code: str | None = Field(description="null once finalised or cancelled")
    status: str
    invigilators: list[str]
    candidates: int
    created_at: dt.datetime
    opened_at: dt.datetime | None
    finalised_at: dt.datetime | None


class CandidateIn(Schema):
    email: str = Field(..., min_length=3, max_length=254)
    extra_time_percent: int = Field(0, ge=0, le=enrolment.MAX_EXTRA_TIME_PERCENT)
    screen_reader: bool = False
    override_reason: str = Field("", max_length=1000)


class CandidateOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    extra_time_percent: int
    screen_reader: bool
    override_reason: str
    status: str
    enrolled_at: dt.datetime


class CertifiedLevelOut(Schema):
    level: int | None
    probability: float | None


class SessionResultOut(Schema):
    candidate: int
    email: str
    status: str
    outcome: str | None = Field(description="The jury decision in force; null before it")
    decided_at: dt.datetime | None
    reviewed: bool
    levels: dict[str, CertifiedLevelOut]
    certificate: str | None
    certificate_revoked: bool


# --- authorisation ------------------------------------------------------------------------


def _centre(request: HttpRequest, slug: str, *, admin: bool = False) -> Centre:
    """The active centre `slug` for its staff or its token (404 otherwise)."""
    organisation = access_api_organisation(request, slug)
    centre = centre_of(organisation.pk)
    centre.organisation = organisation
    if admin and request_token(request) is None:
        # After the centre's lookup: a member of a non-centre organisation gets 404.
        access_api_organisation(request, slug, admin_required=True)
    return centre


def _session(request: HttpRequest, slug: str, session_id: int, *, admin: bool = False) -> Session:
    centre = _centre(request, slug)
    session = access_centre_session(centre, session_id)
    session.centre = centre
    if admin and request_token(request) is None:
        access_api_organisation(request, slug, admin_required=True)
    return session


def _user(request: HttpRequest) -> User | None:
    return None if request_token(request) else request.user


def _invigilators(emails: list[str]) -> list[User]:
    wanted = {email.strip().lower() for email in emails if email.strip()}
    users = list(User.objects.filter(email__in=wanted, is_active=True))
    unknown = sorted(wanted - {user.email for user in users})
    if unknown:
        message = _("Aucun compte Palier pour : %(emails)s.") % {"emails": ", ".join(unknown)}
        raise ApiError(422, "unknown_account", message, {"invigilators": [message]})
    return users


# --- serialisation ------------------------------------------------------------------------


def _session_out(session: Session) -> dict[str, Any]:
    count = getattr(session, "candidate_count", None)
    return {
        "id": session.pk,
        "framework": f"{session.framework.code} {session.framework.version}",
        "date": session.date,
        "start_time": session.start_time,
        "room": session.room,
        "address": session.address,
        "expected_candidates": session.expected_candidates,
        "duration_minutes": session.duration_minutes,
        "access_code": None if session.is_locked else session.access_code,
        "status": session.status,
        "invigilators": sorted(user.email for user in session.invigilators.all()),
        "candidates": session.candidates.count() if count is None else count,
        "created_at": session.created_at,
        "opened_at": session.opened_at,
        "finalised_at": session.finalised_at,
    }


def _candidate_out(candidate: Candidate) -> dict[str, Any]:
    user = candidate.user
    return {
        "id": candidate.pk,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "extra_time_percent": candidate.extra_time_percent,
        "screen_reader": candidate.screen_reader,
        "override_reason": candidate.override_reason,
        "status": candidate.status,
        "enrolled_at": candidate.enrolled_at,
    }


def _session_row(session: Session) -> dict[str, Any]:
    return _session_out(
        centre_sessions(session.centre)
        .select_related("framework")
        .prefetch_related("invigilators")
        .get(pk=session.pk)
    )


# --- operations ---------------------------------------------------------------------------


@router.get(
    "/organisations/{slug}/certification/sessions",
    auth=STAFF_AUTH,
    response={200: list[CertificationSessionOut], **ERRORS},
    summary="A certification centre's sessions, latest first",
)
def list_sessions(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    centre = _centre(request, slug)
    sessions = centre_sessions(centre).select_related("framework").prefetch_related("invigilators")
    return [_session_out(session) for session in sessions]


@router.post(
    "/organisations/{slug}/certification/sessions",
    auth=STAFF_AUTH,
    response={201: CertificationSessionOut, **CHANGE_ERRORS},
    summary="Schedule a session on the current framework (an admin or the token)",
)
def create_session(request: HttpRequest, slug: str, payload: SessionIn) -> Status:
    centre = _centre(request, slug, admin=True)
    framework = current_framework()
    if framework is None:
        raise ApiError(409, "no_framework", _("Aucun référentiel publié."))
    data = payload.dict()
    session = centre_services.create_session(
        centre,
        _user(request),
        {name: data[name] for name in centre_services.SESSION_FIELDS},
        invigilator_password=data["invigilator_password"],
        invigilators=_invigilators(data["invigilators"]),
        framework=framework,
    )
    return Status(201, _session_row(session))


@router.get(
    "/organisations/{slug}/certification/sessions/{int:session_id}",
    auth=STAFF_AUTH,
    response={200: CertificationSessionOut, **ERRORS},
    summary="A session of the centre",
)
def get_session(request: HttpRequest, slug: str, session_id: int) -> dict[str, Any]:
    return _session_row(_session(request, slug, session_id))


@router.patch(
    "/organisations/{slug}/certification/sessions/{int:session_id}",
    auth=STAFF_AUTH,
    response={200: CertificationSessionOut, **CHANGE_ERRORS},
    summary="Change a session (once open: room, address, invigilators, password only)",
)
def patch_session(
    request: HttpRequest, slug: str, session_id: int, payload: SessionPatch
) -> dict[str, Any]:
    session = _session(request, slug, session_id, admin=True)
    data = payload.dict(exclude_unset=True)
    for name, value in data.items():
        if value is None:
            message = _("Valeur obligatoire.")
            raise ApiError(422, "invalid_input", message, {name: [message]})
    invigilators = data.get("invigilators")
    centre_services.update_session(
        session,
        {name: data[name] for name in centre_services.SESSION_FIELDS if name in data},
        invigilators=None if invigilators is None else _invigilators(invigilators),
        invigilator_password=data.get("invigilator_password", ""),
    )
    return _session_row(session)


@router.get(
    "/organisations/{slug}/certification/sessions/{int:session_id}/candidates",
    auth=STAFF_AUTH,
    response={200: list[CandidateOut], **ERRORS},
    summary="A session's candidates with their status",
)
def list_candidates(request: HttpRequest, slug: str, session_id: int) -> list[dict[str, Any]]:
    session = _session(request, slug, session_id)
    return [_candidate_out(candidate) for candidate in session_candidates(session)]


@router.post(
    "/organisations/{slug}/certification/sessions/{int:session_id}/candidates",
    auth=STAFF_AUTH,
    response={201: CandidateOut, **CHANGE_ERRORS},
    summary="Enrol a candidate by the e-mail address of their account",
)
def enrol_candidate(
    request: HttpRequest, slug: str, session_id: int, payload: CandidateIn
) -> Status:
    session = _session(request, slug, session_id, admin=True)
    candidate = enrolment.enrol_candidate(
        session,
        payload.email,
        extra_time_percent=payload.extra_time_percent,
        screen_reader=payload.screen_reader,
        override_reason=payload.override_reason,
        by=_user(request),
    )
    return Status(201, _candidate_out(candidate))


@router.delete(
    "/organisations/{slug}/certification/sessions/{int:session_id}/candidates/{int:candidate_id}",
    auth=STAFF_AUTH,
    response={204: None, **CHANGE_ERRORS},
    summary="Withdraw a candidate who has not arrived yet",
)
def remove_candidate(request: HttpRequest, slug: str, session_id: int, candidate_id: int) -> Status:
    session = _session(request, slug, session_id, admin=True)
    enrolment.remove_candidate(access_session_candidate(session, candidate_id))
    return Status(204, None)


@router.get(
    "/organisations/{slug}/certification/sessions/{int:session_id}/results",
    auth=STAFF_AUTH,
    response={200: list[SessionResultOut], **ERRORS},
    summary="Each candidate's jury decision in force, certified levels and certificate code",
)
def list_results(request: HttpRequest, slug: str, session_id: int) -> list[dict[str, Any]]:
    session = _session(request, slug, session_id)
    rows = []
    for result in session_results(session):
        decision, certificate = result.decision, result.certificate
        levels = decision.levels if decision else {}
        rows.append(
            {
                "candidate": result.candidate.pk,
                "email": result.candidate.user.email,
                "status": result.candidate.status,
                "outcome": decision.outcome if decision else None,
                "decided_at": decision.decided_at if decision else None,
                "reviewed": bool(decision and decision.decided_by_id),
                "levels": {
                    code: {"level": value.get("level"), "probability": value.get("probability")}
                    for code, value in levels.items()
                    if isinstance(value, dict)
                },
                "certificate": certificate.code if certificate else None,
                "certificate_revoked": bool(certificate and certificate.is_revoked),
            }
        )
    return rows
