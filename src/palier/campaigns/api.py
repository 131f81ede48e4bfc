"""Campaigns API for organisations' staff (session or organisation token); the learners'
operations (join, my participations, share) are in learner_api.

Staff operations authorise in one place (`_organisation`, `_campaign`): an organisation or a
campaign the caller cannot reach answers 404, exactly as one that does not exist. A token
acts for its own organisation only, with an admin's rights on campaigns; a member reads and
cannot create (403). Organisations see participants' names and status, and results only
from shared snapshots.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import StringConstraints

from palier.campaigns import services
from palier.campaigns.access import access_campaign_by_id, access_token_campaign
from palier.campaigns.exports import XLSX_CONTENT_TYPE, csv_chunks, xlsx_file
from palier.campaigns.forms import CampaignForm
from palier.campaigns.models import (
    NAME_MAX_LENGTH,
    PURPOSE_MAX_LENGTH,
    Campaign,
    Participation,
    SharedLevel,
)
from palier.core.errors import ApiError, ErrorOut
from palier.core.http import absolute_url
from palier.frameworks.queries import current_framework
from palier.organisations.access import access_api_organisation, request_token
from palier.organisations.api import ERRORS, STAFF_AUTH
from palier.organisations.models import Organisation

router = Router(tags=["campaigns"])
# One page of participants or results; a client pages with `offset` beyond it.
PAGE_MAX = 1000

AreaCode = Annotated[str, StringConstraints(min_length=1, max_length=16)]
PopulationCode = Annotated[str, StringConstraints(min_length=1, max_length=64)]


# --- schemas ----------------------------------------------------------------------------


class CampaignIn(Schema):
    name: str = Field(..., min_length=1, max_length=NAME_MAX_LENGTH)
    purpose: str = Field(..., min_length=1, max_length=PURPOSE_MAX_LENGTH)
    kind: Literal["assessment", "collection"]
    areas: list[AreaCode] = Field(..., min_length=1, max_length=20)
    target_population: PopulationCode | None = None
    populations: list[PopulationCode] = Field([], max_length=100)
    opens_on: date
    closes_on: date
    external_id_label: str = Field("", max_length=80)
    sharing: Literal["consent", "automatic"] = "consent"


class CampaignOut(Schema):
    id: int
    organisation: str
    framework: str
    name: str
    purpose: str
    kind: str
    areas: list[str]
    target_population: str | None
    populations: list[str]
    opens_on: date
    closes_on: date
    state: Literal["upcoming", "open", "closed"]
    external_id_label: str
    sharing: str
    code: str
    display_code: str
    join_url: str
    created_at: datetime


class CampaignDetailOut(CampaignOut):
    participations: dict[str, int]


class PageQuery(Schema):
    limit: int = Field(200, ge=1, le=PAGE_MAX)
    offset: int = Field(0, ge=0)


class ParticipantsQuery(PageQuery):
    status: Literal["joined", "started", "finished", "shared"] | None = None


class ParticipantOut(Schema):
    id: int
    status: str
    external_id: str
    first_name: str
    last_name: str
    email: str
    joined_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    shared_at: datetime | None
    levels: dict[str, int] | None = Field(
        description="Level per area, from the shared snapshot; null until shared"
    )


class AreaResultOut(Schema):
    level: int
    theta: float
    se: float | None = None
    precision: str | None = None
    target: int | None = None


class ResultOut(Schema):
    participant: int
    external_id: str
    shared_at: datetime
    plan_shared: bool
    framework: str | None
    attempt_finished_at: str | None
    population: str
    year_of_study: int | None
    status: str
    areas: dict[str, AreaResultOut]
    competences: dict[str, str]


# --- authorisation ----------------------------------------------------------------------


def _organisation(request: HttpRequest, slug: str, *, admin: bool = False) -> Organisation:
    """The organisation `slug` for its staff or its token (404 otherwise, 403 for a member
    when `admin` is required)."""
    return access_api_organisation(request, slug, admin_required=admin)


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign of the caller's organisation (404 for any other id, existing or not)."""
    token = request_token(request)
    if token is not None:
        return access_token_campaign(token, campaign_id)
    return access_campaign_by_id(request.user, campaign_id)


# --- serialisation ----------------------------------------------------------------------


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "organisation": campaign.organisation.slug,
        "framework": f"{campaign.framework.code} {campaign.framework.version}",
        "name": campaign.name,
        "purpose": campaign.purpose,
        "kind": campaign.kind,
        "areas": list(campaign.areas),
        "target_population": campaign.target_population.code
        if campaign.target_population
        else None,
        "populations": sorted(population.code for population in campaign.populations.all()),
        "opens_on": campaign.opens_on,
        "closes_on": campaign.closes_on,
        "state": campaign.state,
        "external_id_label": campaign.external_id_label,
        "sharing": campaign.sharing,
        "code": campaign.code,
        "display_code": campaign.display_code,
        "join_url": absolute_url("campaigns:join", campaign.code),
        "created_at": campaign.created_at,
    }


def _campaigns(organisation: Organisation) -> QuerySet[Campaign]:
    return (
        Campaign.objects.filter(organisation=organisation)
        .select_related("organisation", "target_population", "framework")
        .prefetch_related("populations")
    )


def _participant_out(participation: Participation) -> dict[str, Any]:
    user = participation.user
    shared = participation.status == Participation.Status.SHARED
    return {
        "id": participation.pk,
        "status": participation.status,
        "external_id": participation.external_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "joined_at": participation.joined_at,
        "started_at": participation.started_at,
        "finished_at": participation.finished_at,
        "shared_at": participation.shared_at,
        "levels": {level.area: level.level for level in participation.shared_levels.all()}
        if shared
        else None,
    }


def _result_out(participation: Participation) -> dict[str, Any]:
    snapshot = participation.snapshot or {}
    return {
        "participant": participation.pk,
        "external_id": participation.external_id,
        "shared_at": participation.shared_at,
        "plan_shared": participation.plan_shared,
        "framework": snapshot.get("framework"),
        "attempt_finished_at": snapshot.get("attempt_finished_at"),
        "population": snapshot.get("population", ""),
        "year_of_study": snapshot.get("year_of_study"),
        "status": snapshot.get("status", ""),
        "areas": snapshot.get("areas", {}),
        "competences": snapshot.get("competences", {}),
    }


def _invalid(errors: dict[str, list[str]]) -> ApiError:
    return ApiError(422, "invalid_input", _("Certaines valeurs sont invalides."), errors)


# --- staff: organisations and campaigns -------------------------------------------------


@router.get(
    "/organisations/{slug}/campaigns",
    auth=STAFF_AUTH,
    response={200: list[CampaignOut], **ERRORS},
    summary="An organisation's campaigns (its staff or its token)",
)
def list_campaigns(request: HttpRequest, slug: str) -> list[dict[str, Any]]:
    organisation = _organisation(request, slug)
    return [_campaign_out(campaign) for campaign in _campaigns(organisation)]


@router.post(
    "/organisations/{slug}/campaigns",
    auth=STAFF_AUTH,
    response={201: CampaignOut, 409: ErrorOut, **ERRORS},
    summary="Create a campaign on the current framework (an organisation admin or its token)",
)
def create_campaign(request: HttpRequest, slug: str, payload: CampaignIn) -> Status:
    organisation = _organisation(request, slug, admin=True)
    framework = current_framework()
    if framework is None:
        raise ApiError(409, "no_framework", _("Aucun référentiel publié."))
    data = payload.dict()
    data["target_population"] = data["target_population"] or ""
    form = CampaignForm(data, framework=framework)
    # The API names populations by their stable code, the page by their id.
    form.fields["target_population"].to_field_name = "code"
    form.fields["populations"].to_field_name = "code"
    if not form.is_valid():
        raise _invalid(
            {field: [str(error) for error in errors] for field, errors in form.errors.items()}
        )
    user = None if request_token(request) else request.user
    campaign = services.create_campaign(
        organisation, user, form.campaign_fields(), form.cleaned_data["populations"]
    )
    return Status(201, _campaign_out(_campaigns(organisation).get(pk=campaign.pk)))


@router.get(
    "/campaigns/{int:campaign_id}",
    auth=STAFF_AUTH,
    response={200: CampaignDetailOut, **ERRORS},
    summary="A campaign, with its participations counted by status",
)
def get_campaign(request: HttpRequest, campaign_id: int) -> dict[str, Any]:
    campaign = _campaign(request, campaign_id)
    counts = dict(
        campaign.participations.order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return _campaign_out(campaign) | {
        "participations": {status: counts.get(status, 0) for status in Participation.Status.values}
    }


@router.get(
    "/campaigns/{int:campaign_id}/participants",
    auth=STAFF_AUTH,
    response={200: list[ParticipantOut], **ERRORS},
    summary="Participants with their status; levels only from shared results",
)
def list_participants(
    request: HttpRequest, campaign_id: int, query: Query[ParticipantsQuery]
) -> list[dict[str, Any]]:
    campaign = _campaign(request, campaign_id)
    participations = (
        campaign.participations.select_related("user")
        .only(
            "pk",
            "status",
            "external_id",
            "joined_at",
            "started_at",
            "finished_at",
            "shared_at",
            "campaign_id",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
        .prefetch_related(
            Prefetch(
                "shared_levels",
                queryset=SharedLevel.objects.only("participation_id", "area", "level"),
            )
        )
        .order_by("joined_at", "pk")
    )
    if query.status:
        participations = participations.filter(status=query.status)
    page = participations[query.offset : query.offset + query.limit]
    return [_participant_out(participation) for participation in page]


@router.get(
    "/campaigns/{int:campaign_id}/results",
    auth=STAFF_AUTH,
    response={200: list[ResultOut], **ERRORS},
    summary="The shared results (frozen snapshots) of a campaign",
)
def list_results(
    request: HttpRequest, campaign_id: int, query: Query[PageQuery]
) -> list[dict[str, Any]]:
    campaign = _campaign(request, campaign_id)
    shared = campaign.participations.filter(status=Participation.Status.SHARED).order_by(
        "shared_at", "pk"
    )
    return [_result_out(p) for p in shared[query.offset : query.offset + query.limit]]


class ExportQuery(Schema):
    format: Literal["csv", "xlsx"] = "csv"
    sep: Literal[",", ";"] = Field(",", description="CSV separator; `;` for French spreadsheets")


@router.get(
    "/campaigns/{int:campaign_id}/export",
    auth=STAFF_AUTH,
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {
                "description": "One row per participant; result columns only when shared",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}},
                },
            }
        }
    },
    summary="The participants' export (CSV, UTF-8 with BOM, or XLSX), streamed",
)
def export(request: HttpRequest, campaign_id: int, query: Query[ExportQuery]) -> HttpResponse:
    campaign = _campaign(request, campaign_id)
    if query.format == "xlsx":
        return FileResponse(
            xlsx_file(campaign),
            as_attachment=True,
            filename=f"palier-{campaign.code}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    response = StreamingHttpResponse(
        csv_chunks(campaign, delimiter=query.sep), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="palier-{campaign.code}.csv"'
    return response
