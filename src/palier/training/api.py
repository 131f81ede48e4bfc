"""Training API: the public catalogue, and the signed-in learner's plan (with requests for
the provider's confirmation of a completion)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema, Status
from ninja.security import django_auth

from palier.core.errors import ErrorOut
from palier.training import queries, services
from palier.training.access import access_plan_entry, access_plan_item, access_published_module
from palier.training.funding import FundingRoute
from palier.training.funding_guide import GUIDES, RouteGuide
from palier.training.models import Module, PlanEntry
from palier.training.queries import CatalogueFilters, catalogue, upcoming_sessions

router = Router(tags=["training"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
CONFLICT_ERRORS = {**ERRORS, 409: ErrorOut}


class Filters(Schema):
    q: str = Field("", max_length=100)
    area: str = Field("", max_length=16)
    competence: str = Field("", max_length=24)
    format: str = Field("", max_length=16)
    max_hours: Decimal | None = Field(None, gt=0, le=500)
    route: Literal["", *FundingRoute.values] = ""  # type: ignore[valid-type]
    # Before funding routes: "free" is route=free, "cpd" route=dpc.
    funding: Literal["", "free", "cpd"] = Field("", deprecated=True)
    language: Literal["", "fr", "en"] = ""
    region: str = Field("", max_length=8)
    population: str = Field("", max_length=64)
    status: str = Field("", max_length=32)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class SessionOut(Schema):
    start: date
    end: date
    place: str
    region: str


class ModuleRouteOut(Schema):
    code: str
    dpc_action_number: str | None


class ModuleOut(Schema):
    code: str
    title: dict[str, str]
    summary: dict[str, str]
    provider: str
    format: str
    hours: float
    language: str
    price_eur: float
    cpd_eligible: bool
    funding_routes: list[ModuleRouteOut]
    target_level: int
    capacities: list[str]
    enrol_url: str
    sessions: list[SessionOut]


class PlanIn(Schema):
    module: str | None = Field(None, max_length=40)
    resource: str | None = Field(None, max_length=40)


class ProgressIn(Schema):
    progress: Literal["planned", "started", "completed"]


class PlanEntryOut(Schema):
    id: int
    module: str | None
    resource: str | None
    progress: str
    confirmation_requested_at: datetime | None
    confirmed_by_provider: bool


def _module(module: Module) -> dict[str, Any]:
    return {
        "code": module.code,
        "title": {"fr": module.title_fr, "en": module.title_en},
        "summary": {"fr": module.summary_fr, "en": module.summary_en},
        "provider": module.provider.name,
        "format": module.format,
        "hours": float(module.hours),
        "language": module.language,
        "price_eur": module.price_euros,
        "cpd_eligible": module.cpd_eligible,
        "funding_routes": [
            {
                "code": route,
                "dpc_action_number": module.dpc_action_number
                if route == FundingRoute.DPC
                else None,
            }
            for route in module.route_codes
        ],
        "target_level": module.target_level,
        "capacities": [c.code for c in module.capacities.all()],
        "enrol_url": module.enrol_url,
        "sessions": [
            {"start": s.start, "end": s.end, "place": s.place, "region": s.region}
            for s in module.upcoming_sessions
        ],
    }


def _entry(entry: PlanEntry) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "module": entry.module.code if entry.module else None,
        "resource": entry.resource.code if entry.resource else None,
        "progress": entry.progress,
        "confirmation_requested_at": entry.confirmation_requested_at,
        "confirmed_by_provider": entry.confirmed_by_provider,
    }


@router.get(
    "/training/modules",
    response={200: list[ModuleOut], 422: ErrorOut},
    summary="The published training catalogue, filtered",
)
def list_modules(request: HttpRequest, filters: Query[Filters]) -> list[dict[str, Any]]:
    data = filters.dict()
    limit, offset = data.pop("limit"), data.pop("offset")
    deprecated_funding = data.pop("funding")
    data["route"] = data["route"] or {"free": "free", "cpd": "dpc"}.get(deprecated_funding, "")
    modules = catalogue(CatalogueFilters(**data)).prefetch_related(
        "capacities", upcoming_sessions()
    )
    return [_module(m) for m in modules[offset : offset + limit]]


class RouteGuideOut(Schema):
    code: str
    label: dict[str, str]
    who: dict[str, str]
    how: dict[str, str]
    covers: dict[str, str]
    source: str
    source_url: str
    site_url: str


def _bilingual(text: object) -> dict[str, str]:
    with translation.override("fr"):
        french = str(text)
    with translation.override("en"):
        english = str(text)
    return {"fr": french, "en": english}


def _guide(guide: RouteGuide) -> dict[str, Any]:
    return {
        "code": guide.code,
        "label": _bilingual(FundingRoute(guide.code).label),
        "who": _bilingual(guide.who),
        "how": _bilingual(guide.how),
        "covers": _bilingual(guide.covers),
        "source": guide.source,
        "source_url": guide.source_url,
        "site_url": guide.site_url,
    }


@router.get(
    "/training/funding-routes",
    response={200: list[RouteGuideOut], 422: ErrorOut},
    summary="The funding routes a module may declare, explained (by route code)",
)
def list_funding_routes(request: HttpRequest) -> list[dict[str, Any]]:
    return [_guide(guide) for guide in GUIDES.values()]


@router.get(
    "/training/modules/{code}",
    response={200: ModuleOut, 404: ErrorOut, 422: ErrorOut},
    summary="One published module",
)
def get_module(request: HttpRequest, code: str) -> dict[str, Any]:
    return _module(access_published_module(code))


@router.get(
    "/training/plan",
    auth=django_auth,
    response={200: list[PlanEntryOut], **ERRORS},
    summary="The signed-in learner's training plan",
)
def get_plan(request: HttpRequest) -> list[dict[str, Any]]:
    entries = queries.plan_entries(request.user)
    return [_entry(entry) for entry in entries]


@router.post(
    "/training/plan",
    auth=django_auth,
    response={201: PlanEntryOut, **ERRORS},
    summary="Add a module or a resource to the plan (idempotent)",
)
def add_to_plan(request: HttpRequest, payload: PlanIn) -> Status:
    module, resource = access_plan_item(payload.module, payload.resource)
    entry = services.add_to_plan(request.user, module=module, resource=resource)
    return Status(201, _entry(entry))


@router.patch(
    "/training/plan/{entry_id}",
    auth=django_auth,
    response={200: PlanEntryOut, **ERRORS},
    summary="Record progress on an entry",
)
def update_plan_entry(request: HttpRequest, entry_id: int, payload: ProgressIn) -> dict[str, Any]:
    entry = access_plan_entry(request.user, entry_id)
    return _entry(services.set_progress(entry, payload.progress))


@router.post(
    "/training/plan/{entry_id}/confirmation-request",
    auth=django_auth,
    response={200: PlanEntryOut, **CONFLICT_ERRORS},
    summary="Ask the module's provider to confirm a completed entry (idempotent)",
    description=(
        "From then on the provider's admins see the learner's name and e-mail, the module and "
        "the completion date. 409 `not_a_module` for a resource, 409 `not_completed` for an "
        "entry that is not completed."
    ),
)
def request_confirmation(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    entry = access_plan_entry(request.user, entry_id)
    return _entry(services.request_confirmation(entry))


@router.delete(
    "/training/plan/{entry_id}/confirmation-request",
    auth=django_auth,
    response={200: PlanEntryOut, **ERRORS},
    summary="Withdraw the request for confirmation, and any confirmation (idempotent)",
)
def withdraw_confirmation_request(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    entry = access_plan_entry(request.user, entry_id)
    return _entry(services.withdraw_confirmation_request(entry))
