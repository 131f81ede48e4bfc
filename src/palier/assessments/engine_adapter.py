"""The one translation boundary between the ORM and the psychometric engine.

`bank_snapshot(calibration)` turns the active calibration's parameters for operational items
into the engine's `ItemBank` arrays. Snapshots are cached per process, keyed by calibration
id and by the bank's last change, so a new calibration or a retired item is picked up
without a restart.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np
from django.db.models import Max

from palier.assessments.models import EngineSettings
from palier.engine import CatConfig, ItemBank
from palier.frameworks.models import Area, Level
from palier.items.models import Calibration, Item, ItemParameter

CACHE_SIZE = 8
_lock = threading.Lock()
_snapshots: dict[tuple[int, str], BankSnapshot] = {}


@dataclass(frozen=True, eq=False)
class BankSnapshot:
    bank: ItemBank
    area_codes: tuple[str, ...]  # engine area index -> framework area code
    version_ids: tuple[int, ...]  # engine item index -> ItemVersion id
    parameters: dict[int, tuple[float, float, float | None]]  # version id -> (a, b, c)
    cut_scores: tuple[tuple[float, ...], ...]  # per engine area
    # Mean Fisher information an item of the area brings when well targeted (a^2/4 for
    # 2PL at theta = b), used to estimate how many questions are left.
    area_information: tuple[float, ...] = ()

    def item_id(self, version_id: int) -> str:
        return str(version_id)

    def area_indices(self, codes: list[str]) -> tuple[int, ...]:
        return tuple(self.area_codes.index(code) for code in codes)


class EmptyBankError(RuntimeError):
    """The active calibration has no operational item to administer."""


def _bank_revision(calibration: Calibration) -> str:
    latest = Item.objects.filter(
        capacity__competence__area__framework_id=calibration.framework_id
    ).aggregate(changed=Max("updated_at"))["changed"]
    return latest.isoformat() if latest else ""


def bank_snapshot(calibration: Calibration) -> BankSnapshot:
    key = (calibration.pk, _bank_revision(calibration))
    with _lock:
        cached = _snapshots.get(key)
    if cached is not None:
        return cached
    snapshot = _build(calibration)
    with _lock:
        if len(_snapshots) >= CACHE_SIZE:
            _snapshots.clear()
        _snapshots[key] = snapshot
    return snapshot


def _build(calibration: Calibration) -> BankSnapshot:
    areas = list(Area.objects.filter(framework_id=calibration.framework_id).order_by("number"))
    area_index = {area.pk: index for index, area in enumerate(areas)}
    rows = list(
        ItemParameter.objects.filter(
            calibration=calibration,
            item_version__item__status__in=(Item.Status.OPERATIONAL, Item.Status.PRETEST),
        )
        .select_related("item_version__item", "item_version__capacity__competence")
        .order_by("item_version__item__code")
    )
    latest = dict(
        Item.objects.filter(pk__in=[row.item_version.item_id for row in rows])
        .annotate(latest=Max("versions__number"))
        .values_list("pk", "latest")
    )
    rows = [row for row in rows if row.item_version.number == latest[row.item_version.item_id]]
    if not rows:
        raise EmptyBankError(str(calibration))
    cuts: dict[int, list[float]] = {}
    for area_id, cut in (
        Level.objects.filter(area__in=areas, min_theta__isnull=False)
        .order_by("area_id", "rank")
        .values_list("area_id", "min_theta")
    ):
        cuts.setdefault(area_index[area_id], []).append(cut)
    has_guessing = any(row.guessing is not None for row in rows)
    bank = ItemBank(
        item_ids=[str(row.item_version_id) for row in rows],
        areas=[area_index[row.item_version.capacity.competence.area_id] for row in rows],
        discrimination=[row.discrimination for row in rows],
        difficulty=[row.difficulty for row in rows],
        guessing=[row.guessing or 0.0 for row in rows] if has_guessing else None,
        competences=[row.item_version.capacity.competence.code for row in rows],
        languages=[None if row.item_version.has_english() else "fr" for row in rows],
        accessible=[row.item_version.screen_reader_ok for row in rows],
        pretest=[row.item_version.item.status == Item.Status.PRETEST for row in rows],
        n_areas=len(areas),
    )
    discrimination = np.asarray(bank.discrimination)
    areas_of_items = np.asarray(bank.areas)
    area_information = tuple(
        float(np.mean(discrimination[areas_of_items == index] ** 2) / 4)
        if np.any(areas_of_items == index)
        else 0.0
        for index in range(len(areas))
    )
    return BankSnapshot(
        bank=bank,
        area_information=area_information,
        area_codes=tuple(area.code for area in areas),
        version_ids=tuple(row.item_version_id for row in rows),
        parameters={
            row.item_version_id: (row.discrimination, row.difficulty, row.guessing) for row in rows
        },
        cut_scores=tuple(tuple(cuts.get(index, [])) for index in range(len(areas))),
    )


def engine_config(
    settings: EngineSettings,
    snapshot: BankSnapshot,
    area_codes: list[str],
    language: str,
    accessible_only: bool,
    excluded: frozenset[str] = frozenset(),
    pretest_positions: tuple[int, ...] = (),
) -> CatConfig:
    """The engine configuration of an attempt (building one costs well under a millisecond)."""
    n_areas = len(snapshot.area_codes)
    correlation = None
    if settings.area_correlation > 0 and n_areas > 1:
        correlation = np.full((n_areas, n_areas), settings.area_correlation)
        np.fill_diagonal(correlation, 1.0)
    return CatConfig(
        version=settings.version,
        se_target=settings.se_target,
        min_items=min(settings.min_items, settings.max_items),
        max_items=settings.max_items,
        min_items_per_area=settings.min_items_per_area,
        areas=snapshot.area_indices(area_codes),
        correlation=correlation,
        randomesque=settings.randomesque,
        language=language,
        accessible_only=accessible_only,
        excluded_items=excluded,
        pretest_positions=pretest_positions,
    )
