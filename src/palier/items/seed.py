"""Load the seed item bank (`seed/D*.json`) idempotently, make it operational, and make sure
the framework has an active calibration (provisional until real data exist)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction

from palier.frameworks.models import Framework
from palier.items.bank_io import ImportReport, import_document
from palier.items.calibrations import create_provisional_calibration
from palier.items.models import Calibration, Item, ItemParameter
from palier.items.queries import latest_versions
from palier.items.services import publish_seed_items

SEED_DIR = Path(__file__).resolve().parent / "seed"


class ItemSeedError(ValueError):
    pass


@dataclass(frozen=True)
class ItemSeedReport:
    imported: ImportReport
    calibration: Calibration


def seed_document(seed_dir: Path = SEED_DIR) -> dict[str, Any]:
    """The seed files merged into one document."""
    merged: dict[str, list[Any]] = {"stimuli": [], "items": []}
    for path in sorted(seed_dir.glob("D*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        merged["stimuli"] += document.get("stimuli", [])
        merged["items"] += document.get("items", [])
    return merged


@transaction.atomic
def load_item_seed(framework: Framework, seed_dir: Path = SEED_DIR) -> ItemSeedReport:
    report = import_document(seed_document(seed_dir), framework, is_seed=True)
    if not report.ok:
        raise ItemSeedError("\n".join(report.errors[:20]))
    publish_seed_items()
    return ItemSeedReport(report, _ensure_calibration(framework))


def _ensure_calibration(framework: Framework) -> Calibration:
    """Keep the active calibration if it covers every item's latest version; otherwise
    (first load, or new versions) publish a new provisional one."""
    active = Calibration.objects.filter(framework=framework, is_active=True).first()
    items = Item.objects.filter(capacity__competence__area__framework=framework).exclude(
        status=Item.Status.RETIRED
    )
    latest = latest_versions(items)
    if active is not None:
        covered = set(
            ItemParameter.objects.filter(calibration=active).values_list(
                "item_version_id", flat=True
            )
        )
        if all(version.pk in covered for version in latest.values()):
            return active
        if not active.is_provisional:
            return active  # estimated parameters are never replaced by provisional ones
    return create_provisional_calibration(framework)
