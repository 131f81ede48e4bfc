"""Load the framework seed (`seed/framework.json`) into the database, idempotently.

Running it twice changes nothing; a version that is already frozen is left untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from palier.frameworks.models import (
    Area,
    Capacity,
    Competence,
    Framework,
    Level,
    Population,
    TargetLevel,
)
from palier.frameworks.services import publish_framework

SEED_FILE = Path(__file__).resolve().parent / "seed" / "framework.json"
LEVEL_COUNT = 5


class SeedError(ValueError):
    """The seed file is malformed; the message names the faulty place."""


@dataclass(frozen=True)
class SeedReport:
    framework: Framework
    created: bool
    frozen: bool
    areas: int
    competences: int
    capacities: int
    populations: int


def _text(node: dict[str, Any], key: str, where: str, required: bool = True) -> tuple[str, str]:
    value = node.get(key)
    if value is None and not required:
        return "", ""
    if not isinstance(value, dict) or not str(value.get("fr", "")).strip():
        raise SeedError(f"{where}: '{key}' needs a French text ({{'fr': ..., 'en': ...}}).")
    return str(value["fr"]).strip(), str(value.get("en", "")).strip()


def read_seed(path: Path = SEED_FILE) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SeedError(f"{path.name}: cannot read the framework seed ({error}).") from error
    for key in ("code", "version", "title", "levels", "cut_scores", "areas", "populations"):
        if key not in data:
            raise SeedError(f"{path.name}: missing '{key}'.")
    if len(data["levels"]) != LEVEL_COUNT or len(data["cut_scores"]) != LEVEL_COUNT - 1:
        raise SeedError(f"{path.name}: expected {LEVEL_COUNT} levels and {LEVEL_COUNT - 1} cuts.")
    if list(data["cut_scores"]) != sorted(data["cut_scores"]):
        raise SeedError(f"{path.name}: cut scores must increase.")
    return data


@transaction.atomic
def load_framework_seed(path: Path = SEED_FILE) -> SeedReport:
    data = read_seed(path)
    populations = _load_populations(data["populations"])
    framework, created = Framework.objects.get_or_create(
        code=data["code"],
        version=data["version"],
        defaults={"title_fr": _text(data, "title", "framework")[0]},
    )
    if not framework.is_frozen:
        _load_content(framework, data, populations)
        if framework.status != Framework.Status.PUBLISHED:
            publish_framework(framework)
    return SeedReport(
        framework=framework,
        created=created,
        frozen=framework.is_frozen,
        areas=Area.objects.filter(framework=framework).count(),
        competences=Competence.objects.filter(area__framework=framework).count(),
        capacities=Capacity.objects.filter(competence__area__framework=framework).count(),
        populations=len(populations),
    )


def _load_populations(nodes: list[dict[str, Any]]) -> dict[str, Population]:
    populations: dict[str, Population] = {}
    kinds = set(Population.Kind.values)
    for position, node in enumerate(nodes, start=1):
        where = f"population {node.get('code', position)}"
        if node.get("kind") not in kinds:
            raise SeedError(f"{where}: unknown kind {node.get('kind')!r}.")
        title_fr, title_en = _text(node, "title", where)
        description_fr, description_en = _text(node, "description", where, required=False)
        population, _ = Population.objects.update_or_create(
            code=node["code"],
            defaults={
                "kind": node["kind"],
                "position": position,
                "title_fr": title_fr,
                "title_en": title_en,
                "description_fr": description_fr,
                "description_en": description_en,
                "source": str(node.get("source", "")),
                "profile_is_proposal": bool(node.get("proposal", False)),
            },
        )
        populations[population.code] = population
    return populations


def _load_content(
    framework: Framework, data: dict[str, Any], populations: dict[str, Population]
) -> None:
    framework.title_fr, framework.title_en = _text(data, "title", "framework")
    framework.description_fr, framework.description_en = _text(
        data, "description", "framework", required=False
    )
    framework.source = str(data.get("source", ""))
    framework.save()
    cuts: list[float | None] = [None, *data["cut_scores"]]
    areas: dict[str, Area] = {}
    for area_node in data["areas"]:
        where = f"area {area_node.get('code')}"
        title_fr, title_en = _text(area_node, "title", where)
        description_fr, description_en = _text(area_node, "description", where, required=False)
        area, _ = Area.objects.update_or_create(
            framework=framework,
            code=area_node["code"],
            defaults={
                "number": area_node["number"],
                "title_fr": title_fr,
                "title_en": title_en,
                "description_fr": description_fr,
                "description_en": description_en,
                "reference_hours": area_node.get("reference_hours", 0),
            },
        )
        areas[area.code] = area
        for rank, (level_node, cut) in enumerate(zip(data["levels"], cuts, strict=True), 1):
            label_fr, label_en = _text(level_node, "label", f"level {rank}")
            level_fr, level_en = _text(level_node, "description", f"level {rank}", required=False)
            Level.objects.update_or_create(
                area=area,
                rank=rank,
                defaults={
                    "label_fr": label_fr,
                    "label_en": label_en,
                    "description_fr": level_fr,
                    "description_en": level_en,
                    "min_theta": cut,
                },
            )
        for position, competence_node in enumerate(area_node["competences"], start=1):
            _load_competence(area, position, competence_node)
    for population_node in data["populations"]:
        population = populations[population_node["code"]]
        for area_code, rank in population_node.get("target_levels", {}).items():
            if area_code not in areas or not 1 <= int(rank) <= LEVEL_COUNT:
                raise SeedError(f"population {population.code}: bad target {area_code}={rank}.")
            TargetLevel.objects.update_or_create(
                framework=framework,
                population=population,
                area=areas[area_code],
                defaults={"level_rank": int(rank)},
            )


def _load_competence(area: Area, position: int, node: dict[str, Any]) -> None:
    where = f"competence {node.get('code')}"
    title_fr, title_en = _text(node, "title", where)
    description_fr, description_en = _text(node, "description", where, required=False)
    competence, _ = Competence.objects.update_or_create(
        area=area,
        code=node["code"],
        defaults={
            "position": position,
            "title_fr": title_fr,
            "title_en": title_en,
            "description_fr": description_fr,
            "description_en": description_en,
        },
    )
    for capacity_position, capacity_node in enumerate(node["capacities"], start=1):
        capacity_where = f"capacity {capacity_node.get('code')}"
        cap_title_fr, cap_title_en = _text(capacity_node, "title", capacity_where)
        cap_fr, cap_en = _text(capacity_node, "description", capacity_where, required=False)
        Capacity.objects.update_or_create(
            competence=competence,
            code=capacity_node["code"],
            defaults={
                "position": capacity_position,
                "title_fr": cap_title_fr,
                "title_en": cap_title_en,
                "description_fr": cap_fr,
                "description_en": cap_en,
            },
        )
