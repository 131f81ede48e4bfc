"""Framework API: published versions, the full tree of one version, its CASE export."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from palier.core.errors import ErrorOut
from palier.frameworks.case import export_case
from palier.frameworks.models import Framework
from palier.frameworks.queries import framework_tree, published_frameworks, target_profiles

router = Router(tags=["frameworks"])
NOT_FOUND = {404: ErrorOut, 422: ErrorOut}


class Text(Schema):
    fr: str
    en: str


class FrameworkSummaryOut(Schema):
    code: str
    version: str
    title: Text
    published_at: str | None
    frozen: bool


class CapacityOut(Schema):
    code: str
    title: Text
    description: Text


class CompetenceOut(Schema):
    code: str
    title: Text
    description: Text
    capacities: list[CapacityOut]


class LevelOut(Schema):
    rank: int
    label: Text
    description: Text
    min_theta: float | None


class AreaOut(Schema):
    code: str
    number: int
    title: Text
    description: Text
    reference_hours: float
    levels: list[LevelOut]
    competences: list[CompetenceOut]


class FrameworkOut(FrameworkSummaryOut):
    description: Text
    source: str
    areas: list[AreaOut]


class PopulationOut(Schema):
    code: str
    kind: str
    title: Text
    description: Text
    source: str
    profile_is_proposal: bool
    target_levels: dict[str, int]


def _text(obj: Any, field: str) -> dict[str, str]:
    return {"fr": getattr(obj, f"{field}_fr"), "en": getattr(obj, f"{field}_en")}


def _summary(framework: Framework) -> dict[str, Any]:
    return {
        "code": framework.code,
        "version": framework.version,
        "title": _text(framework, "title"),
        "published_at": framework.published_at.isoformat() if framework.published_at else None,
        "frozen": framework.is_frozen,
    }


@router.get(
    "",
    response={200: list[FrameworkSummaryOut], 422: ErrorOut},
    summary="Published framework versions",
)
def list_frameworks(request: HttpRequest) -> list[dict[str, Any]]:
    return [_summary(framework) for framework in published_frameworks()]


@router.get(
    "/{code}/{version}",
    response={200: FrameworkOut, **NOT_FOUND},
    summary="One framework version with its areas, levels, competences and capacities",
)
def get_framework(request: HttpRequest, code: str, version: str) -> dict[str, Any]:
    framework = framework_tree(code, version)
    return {
        **_summary(framework),
        "description": _text(framework, "description"),
        "source": framework.source,
        "areas": [
            {
                "code": area.code,
                "number": area.number,
                "title": _text(area, "title"),
                "description": _text(area, "description"),
                "reference_hours": float(area.reference_hours),
                "levels": [
                    {
                        "rank": level.rank,
                        "label": _text(level, "label"),
                        "description": _text(level, "description"),
                        "min_theta": level.min_theta,
                    }
                    for level in area.levels.all()
                ],
                "competences": [
                    {
                        "code": competence.code,
                        "title": _text(competence, "title"),
                        "description": _text(competence, "description"),
                        "capacities": [
                            {
                                "code": capacity.code,
                                "title": _text(capacity, "title"),
                                "description": _text(capacity, "description"),
                            }
                            for capacity in competence.capacities.all()
                        ],
                    }
                    for competence in area.competences.all()
                ],
            }
            for area in framework.areas.all()
        ],
    }


@router.get(
    "/{code}/{version}/populations",
    response={200: list[PopulationOut], **NOT_FOUND},
    summary="Populations and their target profile (expected level per area)",
)
def list_populations(request: HttpRequest, code: str, version: str) -> list[dict[str, Any]]:
    framework = framework_tree(code, version)
    area_codes = [area.code for area in framework.areas.all()]
    return [
        {
            "code": population.code,
            "kind": population.kind,
            "title": _text(population, "title"),
            "description": _text(population, "description"),
            "source": population.source,
            "profile_is_proposal": population.profile_is_proposal,
            "target_levels": {
                area_code: rank
                for area_code, rank in zip(area_codes, ranks, strict=True)
                if rank is not None
            },
        }
        for population, ranks in target_profiles(framework)
    ]


@router.get(
    "/{code}/{version}/case",
    response={200: dict[str, Any], **NOT_FOUND},
    summary="IMS CASE 1.0 package of a framework version",
)
def get_framework_case(request: HttpRequest, code: str, version: str) -> dict[str, Any]:
    return export_case(framework_tree(code, version))
