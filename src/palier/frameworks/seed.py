"""Load the framework seed (`seed/framework.json`) into the database, idempotently.

Running it twice changes nothing; a version that is already frozen is left untouched.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import models, transaction

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


def _titles(node: dict[str, Any], where: str) -> dict[str, str]:
    """A node's bilingual title (required in French) and description, as model fields."""
    title_fr, title_en = _text(node, "title", where)
    description_fr, description_en = _text(node, "description", where, required=False)
    return {
        "title_fr": title_fr,
        "title_en": title_en,
        "description_fr": description_fr,
        "description_en": description_en,
    }


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


def _upsert(model: type[models.Model], rows: list[models.Model], keys: list[str]) -> None:
    """Insert the rows, or update the existing ones matched on `keys` (one query). Rows of
    a frozen framework never reach here (load_framework_seed checks first)."""
    if not rows:
        return
    fields = [
        field.name
        for field in model._meta.concrete_fields
        if not field.primary_key and field.name not in keys
    ]
    model.objects.bulk_create(rows, update_conflicts=True, unique_fields=keys, update_fields=fields)


def _load_populations(nodes: list[dict[str, Any]]) -> dict[str, Population]:
    kinds = set(Population.Kind.values)
    rows = []
    for position, node in enumerate(nodes, start=1):
        where = f"population {node.get('code', position)}"
        if node.get("kind") not in kinds:
            raise SeedError(f"{where}: unknown kind {node.get('kind')!r}.")
        rows.append(
            Population(
                code=node["code"],
                kind=node["kind"],
                position=position,
                **_titles(node, where),
                source=str(node.get("source", "")),
                profile_is_proposal=bool(node.get("proposal", False)),
            )
        )
    _upsert(Population, rows, ["code"])
    codes = [row.code for row in rows]
    return {population.code: population for population in Population.objects.filter(code__in=codes)}


def _load_content(
    framework: Framework, data: dict[str, Any], populations: dict[str, Population]
) -> None:
    framework.title_fr, framework.title_en = _text(data, "title", "framework")
    framework.description_fr, framework.description_en = _text(
        data, "description", "framework", required=False
    )
    framework.source = str(data.get("source", ""))
    framework.save()
    area_rows = []
    for area_node in data["areas"]:
        area_rows.append(
            Area(
                framework=framework,
                code=area_node["code"],
                number=area_node["number"],
                **_titles(area_node, f"area {area_node.get('code')}"),
                reference_hours=area_node.get("reference_hours", 0),
            )
        )
    _upsert(Area, area_rows, ["framework", "code"])
    areas = {area.code: area for area in Area.objects.filter(framework=framework)}
    _load_levels(data, list(areas.values()))
    _load_competences(data, areas)
    targets = []
    for population_node in data["populations"]:
        population = populations[population_node["code"]]
        for area_code, rank in population_node.get("target_levels", {}).items():
            if area_code not in areas or not 1 <= int(rank) <= LEVEL_COUNT:
                raise SeedError(f"population {population.code}: bad target {area_code}={rank}.")
            targets.append(
                TargetLevel(
                    framework=framework,
                    population=population,
                    area=areas[area_code],
                    level_rank=int(rank),
                )
            )
    _upsert(TargetLevel, targets, ["framework", "population", "area"])


def _load_levels(data: dict[str, Any], areas: list[Area]) -> None:
    cuts: list[float | None] = [None, *data["cut_scores"]]
    rows = []
    for area in areas:
        for rank, (level_node, cut) in enumerate(zip(data["levels"], cuts, strict=True), 1):
            label_fr, label_en = _text(level_node, "label", f"level {rank}")
            level_fr, level_en = _text(level_node, "description", f"level {rank}", required=False)
            rows.append(
                Level(
                    area=area,
                    rank=rank,
                    label_fr=label_fr,
                    label_en=label_en,
                    description_fr=level_fr,
                    description_en=level_en,
                    min_theta=cut,
                )
            )
    _upsert(Level, rows, ["area", "rank"])


def _load_competences(data: dict[str, Any], areas: dict[str, Area]) -> None:
    rows = []
    for area_node in data["areas"]:
        for position, node in enumerate(area_node["competences"], start=1):
            rows.append(
                Competence(
                    area=areas[area_node["code"]],
                    code=node["code"],
                    position=position,
                    **_titles(node, f"competence {node.get('code')}"),
                )
            )
    _upsert(Competence, rows, ["area", "code"])
    competences = {
        competence.code: competence
        for competence in Competence.objects.filter(area__in=list(areas.values()))
    }
    capacities = []
    for area_node in data["areas"]:
        for node in area_node["competences"]:
            for position, capacity_node in enumerate(node["capacities"], start=1):
                capacities.append(
                    Capacity(
                        competence=competences[node["code"]],
                        code=capacity_node["code"],
                        position=position,
                        **_titles(capacity_node, f"capacity {capacity_node.get('code')}"),
                    )
                )
    _upsert(Capacity, capacities, ["competence", "code"])
