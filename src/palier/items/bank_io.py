"""Import and export of the item bank in the project's JSON document format (lossless).

One import path for everything: seed files, `palier items import`, the API, CSV and QTI
(both are converted to a document first). An import validates everything first and writes
nothing when any error is found (`dry_run` only reports).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from palier.accounts.models import User
from palier.core.db import analyze
from palier.frameworks.models import Capacity, Framework
from palier.items.content import ItemContent, StimulusContent
from palier.items.errors import ItemError
from palier.items.models import Item, ItemVersion, LevelReview, Stimulus, StimulusVersion
from palier.items.seed_schema import document_errors
from palier.items.services import (
    ItemBatchError,
    NewItem,
    create_items,
    edit_item,
    item_change_needed,
    record_level_reviews,
    save_stimulus,
    set_enemy_group,
)


@dataclass
class ImportReport:
    errors: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    stimuli: int = 0
    dry_run: bool = False
    # QTI packages from other tools: items imported as drafts (code -> why), items left out
    # (with the reason), and what else the import has to say (tests not kept...).
    drafts: dict[str, list[str]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    media: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "would import" if self.dry_run else "imported"
        return (
            f"{verb}: {len(self.created)} new, {len(self.updated)} changed, "
            f"{len(self.unchanged)} unchanged items, {self.stimuli} stimuli"
            + (f", {self.media} images" if self.media else "")
            + (f"; {len(self.drafts)} drafts to complete" if self.drafts else "")
            + (f"; {len(self.skipped)} skipped" if self.skipped else "")
            + f"; {len(self.errors)} errors"
        )


def _capacities(framework: Framework) -> dict[str, Capacity]:
    return {
        capacity.code: capacity
        for capacity in Capacity.objects.filter(competence__area__framework=framework)
    }


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
    if report.errors:
        return report
    # A dry run writes too, through the same services, then rolls back: what it reports is
    # exactly what the import would do, refusals of the services included.
    try:
        with transaction.atomic():
            _write(document, capacities, user, report, is_seed=is_seed)
            if report.errors or dry_run:
                raise _RollBack
    except _RollBack:
        pass
    else:
        analyze(Stimulus, StimulusVersion, Item, ItemVersion)
    return report


class _RollBack(Exception):
    """Leave the import's transaction without keeping anything."""


def _refused(where: str, error: ItemError) -> list[str]:
    details = [
        f"{field}: {message}" for field, messages in error.fields.items() for message in messages
    ]
    return [f"{where}: {detail}" for detail in details] or [f"{where}: {error.message}"]


def _write(
    document: dict[str, Any],
    capacities: dict[str, Capacity],
    user: User | None,
    report: ImportReport,
    *,
    is_seed: bool,
) -> None:
    # Stimuli and items go through the same services as every other write: sanitised,
    # versioned (a stimulus code that exists gets a new version, never an in-place edit of
    # a version learners saw), all in the caller's transaction.
    stimuli: dict[str, Stimulus] = {}
    for index, node in enumerate(document.get("stimuli", [])):
        content = StimulusContent(
            kind=node["kind"],
            title_fr=node["title"]["fr"],
            title_en=node["title"].get("en", ""),
            content_fr=node["content"]["fr"],
            content_en=node["content"].get("en", ""),
        )
        try:
            stimuli[node["code"]] = save_stimulus(user, node["code"], content)
        except ItemError as error:
            report.errors += _refused(f"stimuli[{index}] ({node['code']})", error)
    report.stimuli = len(stimuli)
    existing = {
        item.code: item
        for item in Item.objects.filter(code__in=[node["code"] for node in document["items"]])
    }
    reviews: dict[int, dict[str, str]] = {}

    def after_write(item: Item, node: dict[str, Any]) -> None:
        group = node.get("enemy_group") or ""
        # `item` was just read or created: with no group on either side there is no write.
        if (group or item.enemy_group) and set_enemy_group(user, item, group):
            _mark_updated(report, node["code"])
        if node.get("level_review"):
            reviews[item.pk] = node["level_review"]

    new: list[tuple[int, dict[str, Any], NewItem]] = []
    for index, node in enumerate(document["items"]):
        content = _content(node, stimuli)
        capacity, level = capacities[node["capacity"]], node["level"]
        item = existing.get(node["code"])
        if item is None:
            new.append((index, node, NewItem(node["code"], capacity, level, content)))
            continue
        try:
            if item_change_needed(item, content, capacity=capacity, intended_level=level):
                edit_item(user, item, content, capacity=capacity, intended_level=level)
                report.updated.append(node["code"])
            else:
                report.unchanged.append(node["code"])
            after_write(item, node)
        except ItemError as error:
            report.errors += _refused(f"items[{index}] ({node['code']})", error)
    try:
        created = create_items(user, [entry for _, _, entry in new], is_seed) if new else []
    except ItemBatchError as refused:
        for position, error in sorted(refused.errors.items()):
            index, node, _entry = new[position]
            report.errors += _refused(f"items[{index}] ({node['code']})", error)
        return
    except ItemError as error:  # the author may not create items at all
        report.errors += _refused("items", error)
        return
    for (_index, node, _entry), item in zip(new, created, strict=True):
        report.created.append(node["code"])
        after_write(item, node)
    _record_reviews(user, reviews, report)


def _record_reviews(
    user: User | None, reviews: dict[int, dict[str, str]], report: ImportReport
) -> None:
    """The level review of each item's latest version, in one batch."""
    if not reviews:
        return
    from palier.items.queries import latest_versions

    versions = latest_versions(Item.objects.filter(pk__in=list(reviews)))
    entries = [
        (versions[pk], review["by"], datetime.date.fromisoformat(review["on"]))
        for pk, review in reviews.items()
    ]
    try:
        reviewed = record_level_reviews(entries, user)
    except ItemError as error:
        report.errors += _refused("level_review", error)
        return
    for version in versions.values():
        if version.pk in reviewed:
            _mark_updated(report, version.item.code)


def _mark_updated(report: ImportReport, code: str) -> None:
    if code in report.unchanged:
        report.unchanged.remove(code)
        report.updated.append(code)


def export_document(items: list[Item]) -> dict[str, Any]:
    """The JSON document of `items` (their latest versions), importable as is."""
    from palier.items.queries import latest_versions

    versions = latest_versions(Item.objects.filter(pk__in=[item.pk for item in items]))
    reviews = {
        review.version_id: review
        for review in LevelReview.objects.filter(version__in=list(versions.values())).order_by(
            "reviewed_on", "pk"
        )
    }  # the latest review of each version wins
    stimuli: dict[str, StimulusVersion] = {}
    nodes = []
    for item in items:
        version = versions.get(item.pk)
        if version is None:
            continue
        if version.stimulus_version is not None:
            stimuli[version.stimulus_version.stimulus.code] = version.stimulus_version
        nodes.append(
            {
                "code": item.code,
                "capacity": version.capacity.code,
                "level": version.intended_level,
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
                **_metadata(item, reviews.get(version.pk)),
            }
        )
    return {
        "stimuli": [
            {
                "code": s.stimulus.code,
                "kind": s.stimulus.kind,
                "title": {"fr": s.title_fr, "en": s.title_en},
                "content": {"fr": s.content_fr, "en": s.content_en},
            }
            for s in sorted(stimuli.values(), key=lambda stimulus: stimulus.stimulus.code)
        ],
        "items": nodes,
    }


def _metadata(item: Item, review: LevelReview | None) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    if item.enemy_group:
        metadata["enemy_group"] = item.enemy_group
    if review is not None:
        metadata["level_review"] = {"by": review.reviewed_by, "on": review.reviewed_on.isoformat()}
    return metadata
