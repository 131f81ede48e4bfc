"""Load the demo training catalogue (`seed/modules.json`, `seed/resources.json`),
idempotently. Every provider and module it creates is marked as demo data."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from palier.frameworks.models import Capacity, Competence, Framework, Population
from palier.items.html import clean_html
from palier.organisations.models import Organisation
from palier.training.funding import DECLARED_ROUTES
from palier.training.models import Module, ModuleSession, Resource, http_url

SEED_DIR = Path(__file__).resolve().parent / "seed"


class CatalogueSeedError(ValueError):
    pass


@dataclass(frozen=True)
class CatalogueSeedReport:
    providers: int
    modules: int
    resources: int


def _read(name: str) -> dict[str, Any]:
    path = SEED_DIR / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise CatalogueSeedError(f"{name}: {error}") from error


def _check_url(url: str, where: str) -> str:
    try:
        http_url(url)
    except ValidationError as error:
        raise CatalogueSeedError(f"{where}: not an http(s) URL: {url!r}") from error
    return url


@transaction.atomic
def load_catalogue_seed(framework: Framework) -> CatalogueSeedReport:
    modules_doc, resources_doc = _read("modules.json"), _read("resources.json")
    capacities = {c.code: c for c in Capacity.objects.filter(competence__area__framework=framework)}
    competences = {c.code: c for c in Competence.objects.filter(area__framework=framework)}
    populations = {p.code: p for p in Population.objects.all()}
    providers = {}
    for node in modules_doc["providers"]:
        provider, _ = Organisation.objects.update_or_create(
            slug=node["slug"],
            defaults={
                "name": node["name"],
                "type": node["type"],
                "region": node["region"],
                "description_fr": node["description"]["fr"],
                "description_en": node["description"].get("en", ""),
                "website": _check_url(node["website"], node["slug"]),
                "is_demo": True,
            },
        )
        providers[provider.slug] = provider
    for node in modules_doc["modules"]:
        _load_module(node, providers, capacities, populations)
    for node in resources_doc["resources"]:
        _load_resource(node, capacities, competences)
    return CatalogueSeedReport(
        len(providers), len(modules_doc["modules"]), len(resources_doc["resources"])
    )


def _load_module(
    node: dict[str, Any], providers: dict, capacities: dict, populations: dict
) -> None:
    where = f"module {node.get('code')}"
    unknown = [code for code in node["capacities"] if code not in capacities]
    unknown += [code for code in node["populations"] if code not in populations]
    unknown += [code for code in node["funding_routes"] if code not in DECLARED_ROUTES]
    if unknown or node["provider"] not in providers or Decimal(str(node["hours"])) <= 0:
        raise CatalogueSeedError(f"{where}: unknown codes {unknown} or bad provider/hours")
    module, _ = Module.objects.update_or_create(
        code=node["code"].lower(),
        defaults={
            "provider": providers[node["provider"]],
            "title_fr": node["title"]["fr"],
            "title_en": node["title"].get("en", ""),
            "summary_fr": node["summary"]["fr"],
            "summary_en": node["summary"].get("en", ""),
            "format": node["format"],
            "hours": Decimal(str(node["hours"])),
            "language": node["language"],
            "price_cents": int(node["price_eur"]) * 100,
            "funding_routes": " ".join(node["funding_routes"]),
            "dpc_action_number": node.get("dpc_action_number", ""),
            "statuses": " ".join(node["statuses"]),
            "target_level": node["target_level"],
            "enrol_url": _check_url(node["enrol_url"], where),
            "status": Module.Status.PUBLISHED,
            "is_demo": True,
        },
    )
    module.capacities.set([capacities[code] for code in node["capacities"]])
    module.populations.set([populations[code] for code in node["populations"]])
    module.sessions.all().delete()
    for session in node.get("sessions", []):
        start, end = date.fromisoformat(session["start"]), date.fromisoformat(session["end"])
        if end < start:
            raise CatalogueSeedError(f"{where}: a session ends before it starts")
        ModuleSession.objects.create(
            module=module,
            start=start,
            end=end,
            place=session.get("place", ""),
            region=session.get("region", ""),
        )


def _load_resource(node: dict[str, Any], capacities: dict, competences: dict) -> None:
    where = f"resource {node.get('code')}"
    if node["competence"] not in competences or any(
        code not in capacities for code in node["capacities"]
    ):
        raise CatalogueSeedError(f"{where}: unknown competence or capacity")
    resource, _ = Resource.objects.update_or_create(
        code=node["code"].lower(),
        defaults={
            "competence": competences[node["competence"]],
            "kind": node["kind"],
            "level": node["level"],
            "minutes": node["minutes"],
            "title_fr": node["title"]["fr"],
            "title_en": node["title"].get("en", ""),
            "summary_fr": node["summary"]["fr"],
            "summary_en": node["summary"].get("en", ""),
            "body_fr": clean_html(node["body"]["fr"]),
            "body_en": clean_html(node["body"].get("en", "")),
            "source_name": node.get("source_name") or "",
            "source_url": _check_url(node["source_url"], where) if node.get("source_url") else "",
            "rule_reference": node.get("rule_reference") or "",
        },
    )
    resource.capacities.set([capacities[code] for code in node["capacities"]])
