"""Campaigns API for learners (session): join with a code, list one's participations, share."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.security import django_auth

from palier.campaigns import services
from palier.campaigns.access import access_own_participation
from palier.campaigns.models import Participation
from palier.campaigns.queries import participations_of
from palier.core.errors import ErrorOut
from palier.core.http import absolute_url, client_ip

router = Router(tags=["campaigns"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class JoinIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    external_id: str = Field("", max_length=64)


class ShareIn(Schema):
    plan: bool = False


class MyParticipationOut(Schema):
    id: int
    campaign: str
    organisation: str
    purpose: str
    kind: str
    areas: list[str]
    sharing: str
    closes_on: date
    status: str
    external_id: str
    joined_at: datetime
    finished_at: datetime | None
    shared_at: datetime | None
    plan_shared: bool
    url: str


def _my_participation_out(participation: Participation) -> dict[str, Any]:
    campaign = participation.campaign
    return {
        "id": participation.pk,
        "campaign": campaign.name,
        "organisation": campaign.organisation.name,
        "purpose": campaign.purpose,
        "kind": campaign.kind,
        "areas": list(campaign.areas),
        "sharing": campaign.sharing,
        "closes_on": campaign.closes_on,
        "status": participation.status,
        "external_id": participation.external_id,
        "joined_at": participation.joined_at,
        "finished_at": participation.finished_at,
        "shared_at": participation.shared_at,
        "plan_shared": participation.plan_shared,
        "url": absolute_url("campaigns:participation", participation.pk),
    }


# --- learners ---------------------------------------------------------------------------


@router.post(
    "/campaigns/join",
    auth=django_auth,
    response={200: MyParticipationOut, 409: ErrorOut, 429: ErrorOut, **ERRORS},
    summary="Join a campaign with its code (idempotent; wrong codes are rate-limited)",
)
def join(request: HttpRequest, payload: JoinIn) -> dict[str, Any]:
    campaign = services.find_campaign(request.user, payload.code, client_ip(request))
    participation = services.join_campaign(request.user, campaign, payload.external_id)
    return _my_participation_out(access_own_participation(request.user, participation.pk))


@router.get(
    "/me/participations",
    auth=django_auth,
    response={200: list[MyParticipationOut], **ERRORS},
    summary="The signed-in learner's campaigns",
)
def my_participations(request: HttpRequest) -> list[dict[str, Any]]:
    participations = participations_of(request.user)
    return [_my_participation_out(participation) for participation in participations]


@router.post(
    "/me/participations/{int:participation_id}/share",
    auth=django_auth,
    response={200: MyParticipationOut, 409: ErrorOut, **ERRORS},
    summary="Share one's finished result (and optionally the learning plan) with the organisation",
)
def share(request: HttpRequest, participation_id: int, payload: ShareIn) -> dict[str, Any]:
    participation = access_own_participation(request.user, participation_id)
    services.share(participation, plan=payload.plan)
    return _my_participation_out(access_own_participation(request.user, participation_id))
