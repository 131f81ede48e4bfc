"""Import and export of the item bank in the project's JSON document format (lossless).

One import path for everything: seed files, `palier items import`, the API, CSV and QTI
(both are converted to a document first). An import validates everything first and writes
nothing when any error is found (`dry_run` only reports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from palier.accounts.models import User
from palier.core.db import analyze
from palier.frameworks.models import Capacity, Framework
from palier.items.html import clean_html, unsafe_constructs
from palier.items.models import Item, ItemVersion, Stimulus
from palier.items.seed_schema import document_errors
from palier.items.services import ItemContent, create_item, definition_texts, edit_item


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stimuli: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{verb}: {len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged items, {self.stimuli} stimuli; "
            f"{len(self.errors)} errors"
        )


def _capacities(framework: Framework) -> dict[str, Capacity]:
    return {
        capacity.code: capacity
        for capacity in Capacity.objects.filter(competence__area__framework=framework)
    }


def _texts(document: dict[str, Any]) -> list[tuple[str, str]]:
    """Every text of a document that will be shown as HTML, with where it stands."""
    found: list[tuple[str, str]] = []
    for kind, fields in (("stimuli", ("title", "content")), ("items", ("stem", "feedback"))):
        for index, node in enumerate(document.get(kind, [])):
            where = f"{kind}[{index}] ({node.get('code')})"
            for name in fields:
                for language, text in (node.get(name) or {}).items():
                    found.append((f"{where}: {name}.{language}", str(text)))
            if kind == "items":
                for path, text in definition_texts(node.get("definition")):
                    found.append((f"{where}: definition.{path}", text))
    return found


def _html_errors(document: dict[str, Any]) -> list[str]:
    return [
        f"{where} unsafe content: {', '.join(unsafe_constructs(text))}"
        for where, text in _texts(document)
        if unsafe_constructs(text)
    ]


def _content(node: dict[str, Any], stimuli: dict[str, Stimulus]) -> ItemContent:
    return ItemContent(
        format=node["format"],
        stem_fr=node["stem"]["fr"],
        stem_en=node["stem"].get("en", ""),
        definition=node["definition"],
        feedback_fr=node["feedback"]["fr"],
        feedback_en=node["feedback"].get("en", ""),
        source=node["source"],
        estimated_seconds=node["estimated_seconds"],
        screen_reader_ok=node["accessibility"]["screen_reader"],
        colour_independent=node["accessibility"]["colour_independent"],
        stimulus=stimuli.get(node["stimulus"]) if node.get("stimulus") else None,
    )


def _same(version: ItemVersion | None, content: ItemContent) -> bool:
    return version is not None and ItemContent.from_version(version) == content


def import_document(
    document: Any,
    framework: Framework,
    user: User | None = None,
    *,
    dry_run: bool = False,
    is_seed: bool = False,
) -> ImportReport:
    capacities = _capacities(framework)
    report = ImportReport(dry_run=dry_run)
    report.errors = document_errors(document, capacities)
    if not report.errors:
        report.errors = _html_errors(document)
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        _write(document, capacities, user, report, is_seed=is_seed)
    analyze(Stimulus, Item, ItemVersion)
    return report


def _write(
    document: dict[str, Any],
    capacities: dict[str, Capacity],
    user: User | None,
    report: ImportReport,
    *,
    is_seed: bool,
) -> None:
    stimuli: dict[str, Stimulus] = {}
    for node in document.get("stimuli", []):
        stimulus, _ = Stimulus.objects.update_or_create(
            code=node["code"],
            defaults={
                "kind": node["kind"],
                "title_fr": node["title"]["fr"],
                "title_en": node["title"].get("en", ""),
                "content_fr": clean_html(node["content"]["fr"]),
                "content_en": clean_html(node["content"].get("en", "")),
            },
        )
        stimuli[stimulus.code] = stimulus
    report.stimuli = len(stimuli)
    existing = {
        item.code: item
        for item in Item.objects.filter(code__in=[node["code"] for node in document["items"]])
    }
    for node in document["items"]:
        content = _content(node, stimuli)
        item = existing.get(node["code"])
        if item is None:
            create_item(
                user,
                node["code"],
                capacities[node["capacity"]],
                node["level"],
                content,
                is_seed=is_seed,
            )
            report.created.append(node["code"])
            continue
        changed_meta = (
            item.capacity_id != capacities[node["capacity"]].pk
            or item.intended_level != node["level"]
        )
        if changed_meta:
            Item.objects.filter(pk=item.pk).update(
                capacity=capacities[node["capacity"]], intended_level=node["level"]
            )
        if _same(item.latest_version(), _cleaned(content)):
            (report.updated if changed_meta else report.unchanged).append(node["code"])
        else:
            edit_item(user, item, content)
            report.updated.append(node["code"])


def _cleaned(content: ItemContent) -> ItemContent:
    """The content as it will be stored (sanitised), to compare with a stored version."""
    from dataclasses import replace

    return replace(
        content,
        stem_fr=clean_html(content.stem_fr),
        stem_en=clean_html(content.stem_en),
        feedback_fr=clean_html(content.feedback_fr),
        feedback_en=clean_html(content.feedback_en),
    )


def export_document(items: list[Item]) -> dict[str, Any]:
    """The JSON document of `items` (their latest versions), importable as is."""
    from palier.items.queries import latest_versions

    versions = latest_versions(Item.objects.filter(pk__in=[item.pk for item in items]))
    stimuli: dict[str, Stimulus] = {}
    nodes = []
    for item in items:
        version = versions.get(item.pk)
        if version is None:
            continue
        if version.stimulus is not None:
            stimuli[version.stimulus.code] = version.stimulus
        nodes.append(
            {
                "code": item.code,
                "capacity": item.capacity.code,
                "level": item.intended_level,
                "format": version.format,
                "stimulus": version.stimulus.code if version.stimulus else None,
                "stem": {"fr": version.stem_fr, "en": version.stem_en},
                "definition": version.definition,
                "feedback": {"fr": version.feedback_fr, "en": version.feedback_en},
                "source": version.source,
                "estimated_seconds": version.estimated_seconds,
                "accessibility": {
                    "screen_reader": version.screen_reader_ok,
                    "colour_independent": version.colour_independent,
                },
                "status": item.status,
                "version": version.number,
            }
        )
    return {
        "stimuli": [
            {
                "code": s.code,
                "kind": s.kind,
                "title": {"fr": s.title_fr, "en": s.title_en},
                "content": {"fr": s.content_fr, "en": s.content_en},
            }
            for s in sorted(stimuli.values(), key=lambda stimulus: stimulus.code)
        ],
        "items": nodes,
    }
