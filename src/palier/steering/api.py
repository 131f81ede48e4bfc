"""Steering API: the national dashboard's figures as JSON (read-only), for steering,
administrators and funders. The same filters as the pages (annee, public, region, type,
etablissement, programme; 400 with the error shape on an unknown value) and the same
privacy rule: a hidden figure is null with "hidden": true, never its value."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.security import django_auth

from palier.accounts.queries import learners_by_population_and_region
from palier.accounts.roles import Role, require_role
from palier.core.errors import ApiError, ErrorOut
from palier.steering import queries
from palier.steering.filters import FilterError, Filters, parse
from palier.steering.privacy import MIN_LEARNERS, Shown
from palier.steering.tables import Table

router = Router(tags=["steering"], auth=django_auth)
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut}
READERS = (Role.STEERING, Role.ADMINISTRATOR, Role.FUNDER)


class CellOut(Schema):
    value: float | None
    hidden: bool


class RowOut(Schema):
    key: str
    label: str
    cells: list[CellOut]


class TableOut(Schema):
    code: str
    title: str
    label_header: str
    columns: list[str]
    rows: list[RowOut]
    total: RowOut | None
    notes: list[str]


class PointOut(Schema):
    year: int
    value: float | None
    hidden: bool


class TargetOut(Schema):
    code: str
    title: str
    indicator: str
    kind: str
    target_value: float
    target_year: int
    yearly: bool
    actual: CellOut
    trajectory: list[PointOut]
    projection: PointOut | None
    status: str
    sentence: str


class SteeringRowOut(Schema):
    population: str | None
    region: str
    learners: int


def cell(value: Shown) -> dict[str, Any]:
    """A figure as the API gives it: null with "hidden": true when suppressed, null with
    "hidden": false when there is no figure at all (a share without a denominator)."""
    return {"value": value.value, "hidden": value.hidden}


def table_out(table: Table) -> dict[str, Any]:
    def row(source: Any) -> dict[str, Any]:
        return {
            "key": source.key,
            "label": source.label,
            "cells": [cell(value) for value in source.cells],
        }

    return {
        "code": table.code,
        "title": table.title,
        "label_header": table.label_header,
        "columns": list(table.columns),
        "rows": [row(source) for source in table.rows],
        "total": row(table.total) if table.total is not None else None,
        "notes": list(table.notes),
    }


def _filters(request: HttpRequest) -> Filters:
    require_role(request, *READERS)
    try:
        return parse(request.GET)
    except FilterError as error:
        raise ApiError(400, "invalid_filter", str(error), error.fields) from error


@router.get(
    "/steering/headline",
    response={200: list[TargetOut], **ERRORS},
    summary="The targets in force against the actual figures, with trajectory and status",
)
def steering_headline(request: HttpRequest) -> list[dict[str, Any]]:
    filters = _filters(request)
    return [
        {
            "code": target.code,
            "title": target.title,
            "indicator": target.indicator,
            "kind": target.kind,
            "target_value": target.value,
            "target_year": target.year,
            "yearly": target.yearly,
            "actual": cell(target.actual),
            "trajectory": [{"year": year, **cell(value)} for year, value in target.trajectory],
            "projection": (
                {"year": target.projection[0], "value": target.projection[1], "hidden": False}
                if target.projection
                else None
            ),
            "status": target.status,
            "sentence": target.sentence,
        }
        for target in queries.headline(filters)
    ]


@router.get(
    "/steering/breakdowns/{by}",
    response={200: TableOut, 404: ErrorOut, **ERRORS},
    summary="Reach by population, region, institution_type, institution, programme or status",
)
def steering_breakdown(request: HttpRequest, by: str) -> dict[str, Any]:
    filters = _filters(request)
    if by not in queries.BREAKDOWNS:
        raise ApiError(404, "not_found", _("Ressource introuvable."))
    return table_out(queries.breakdown(filters, by))


@router.get(
    "/steering/levels",
    response={200: list[TableOut], **ERRORS},
    summary="Learners per level of each area, by population (shared results only)",
)
def steering_levels(request: HttpRequest) -> list[dict[str, Any]]:
    return [table_out(table) for table in queries.levels(_filters(request))]


@router.get(
    "/steering/hours-by-route",
    response={200: TableOut, **ERRORS},
    summary="Training hours planned and completed by learner status and funding route",
)
def steering_hours_by_route(request: HttpRequest) -> dict[str, Any]:
    """The dashboard's table of hours by status and route (`route_hours.hours_by_route`),
    as it shows it: a row per (status, route) pair with learners, key "status-route"
    ("none" for no status); cells from fewer than 10 learners, and their
    complements, null with "hidden": true."""
    return table_out(queries.hours_by_route(_filters(request)))


@router.get(
    "/steering/learners",
    response={200: list[SteeringRowOut], 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Active learners by population and region (national steering; small groups hidden)",
)
def steering_learners(request: HttpRequest) -> list[dict[str, Any]]:
    require_role(request, Role.STEERING, Role.ADMINISTRATOR)
    return [
        {
            "population": row["population__code"],
            "region": row["region"],
            "learners": row["learners"],
        }
        for row in learners_by_population_and_region()
        if row["learners"] >= MIN_LEARNERS
    ]
