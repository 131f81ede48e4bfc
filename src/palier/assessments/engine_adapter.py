"""The one translation boundary between the ORM and the psychometric engine.

`bank_snapshot(calibration)` turns the active calibration's parameters for operational items
into the engine's `ItemBank` arrays. Snapshots are cached per process, keyed by calibration
id and by the bank's last change, so a new calibration or a retired item is picked up
without a restart.

`attempt_engine(attempt, snapshot, recorded)` is the one path from an attempt's stored
settings and recorded answers to the engine's inputs (bank, configuration, history): the
delivery of the next question and `palier rescore` both call it, so a result recomputed later
uses exactly what the delivery used, the guessing parameter included.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Max

from palier.assessments.models import Attempt, EngineSettings, Response
from palier.engine import Answer, CatConfig, ItemBank, certification_exposure
from palier.frameworks.models import Area
from palier.frameworks.queries import cut_scores_by_area
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

    def answer(self, version_id: int, correct: bool, credit: float) -> RecordedAnswer:
        """An answer to one of the bank's items, with the bank's parameters (what a new
        response records)."""
        index = self.bank.index_of(str(version_id))
        a, b, c = self.parameters[version_id]
        return RecordedAnswer(
            version_id=version_id,
            correct=correct,
            credit=credit,
            discrimination=a,
            difficulty=b,
            guessing=c,
            pretest=bool(self.bank.pretest[index]),
            area_code=self.area_codes[int(self.bank.areas[index])],
            competence_code=self.bank.competences[index] or "",
        )


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
    cuts = cut_scores_by_area(calibration.framework_id)
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
        enemy_groups=[row.item_version.item.enemy_group or None for row in rows],
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
        cut_scores=tuple(cuts.get(area.code, ()) for area in areas),
    )


def engine_config(
    settings: EngineSettings,
    snapshot: BankSnapshot,
    area_codes: list[str],
    language: str,
    accessible_only: bool,
    excluded: frozenset[str] = frozenset(),
    pretest_positions: tuple[int, ...] = (),
    exposure_rates: dict[str, float] | None = None,
) -> CatConfig:
    """The engine configuration of an attempt (building one costs well under a millisecond).
    With `settings.max_exposure_rate`, the restricted selection uses `exposure_rates` (the
    rates recorded with the attempt when it started)."""
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
        **(
            certification_exposure(exposure_rates or {}, settings.max_exposure_rate)
            if settings.max_exposure_rate is not None
            else {}
        ),
    )


@dataclass(frozen=True)
class RecordedAnswer:
    """One stored response as the engine needs it: the item, the answer's correctness and
    the parameters used when it was given (guessing is None for a 2PL item)."""

    version_id: int
    correct: bool
    credit: float
    discrimination: float
    difficulty: float
    guessing: float | None
    pretest: bool
    area_code: str
    competence_code: str


def recorded_answers(attempt: Attempt) -> list[RecordedAnswer]:
    """The attempt's stored responses in order, with their recorded parameters (one query)."""
    rows = (
        Response.objects.filter(attempt=attempt)
        .order_by("position")
        .values_list(
            "item_version_id",
            "correct",
            "credit",
            "discrimination",
            "difficulty",
            "guessing",
            "pretest",
            "item_version__capacity__competence__area__code",
            "item_version__capacity__competence__code",
        )
    )
    return [RecordedAnswer(*row) for row in rows]


@dataclass(frozen=True, eq=False)
class AttemptEngine:
    """The engine's inputs for one attempt: call `next_step(bank, history, config, rng)`."""

    bank: ItemBank
    config: CatConfig
    history: list[Answer]


def attempt_engine(
    attempt: Attempt, snapshot: BankSnapshot, recorded: Sequence[RecordedAnswer]
) -> AttemptEngine:
    """The bank, configuration and history of `attempt`, from its stored engine settings and
    the parameters recorded on its responses.

    Unanswered items come from the calibration's bank (`snapshot`). An answered item is
    scored with the parameters stored on its response: when those are what the bank holds
    (the usual case) the cached bank is used as it is; otherwise (an item retired or
    re-versioned since, or parameters that differ) a bank is built with the recorded rows,
    so an attempt is always estimated with what was used when it was delivered."""
    config = engine_config(
        attempt.engine_settings,
        snapshot,
        list(attempt.areas),
        attempt.language,
        bool(attempt.accommodations.get("screen_reader")),
        frozenset(attempt.excluded_items),
        tuple(attempt.pretest_positions),
        attempt.exposure_rates,
    )
    history = [Answer(str(answer.version_id), answer.correct) for answer in recorded]
    return AttemptEngine(_bank_with(snapshot, recorded), config, history)


def _position(bank: ItemBank, version_id: int) -> int | None:
    try:
        return bank.index_of(str(version_id))
    except ValueError:
        return None


def _matches(bank: ItemBank, index: int, answer: RecordedAnswer) -> bool:
    # A 2PL item is a 3PL item with no guessing: None and 0.0 score the same.
    return (
        float(bank.discrimination[index]) == answer.discrimination
        and float(bank.difficulty[index]) == answer.difficulty
        and float(bank.guessing[index]) == (answer.guessing or 0.0)
        and bool(bank.pretest[index]) == answer.pretest
    )


def _bank_with(snapshot: BankSnapshot, recorded: Sequence[RecordedAnswer]) -> ItemBank:
    """The snapshot's bank with the recorded parameters of the answered items."""
    bank = snapshot.bank
    positions = {answer.version_id: _position(bank, answer.version_id) for answer in recorded}
    if all(
        position is not None and _matches(bank, position, answer)
        for answer, position in zip(recorded, positions.values(), strict=True)
    ):
        return bank
    item_ids = list(bank.item_ids)
    areas = bank.areas.tolist()
    discrimination = bank.discrimination.tolist()
    difficulty = bank.difficulty.tolist()
    guessing = bank.guessing.tolist()
    competences = list(bank.competences)
    languages = list(bank.languages)
    accessible = bank.accessible.tolist()
    pretest = bank.pretest.tolist()
    enemy_groups = list(bank.enemy_groups)
    for answer in recorded:
        position = positions[answer.version_id]
        if position is None:
            # Answered, then retired or re-versioned: still part of the attempt's history.
            position = len(item_ids)
            item_ids.append(str(answer.version_id))
            areas.append(snapshot.area_codes.index(answer.area_code))
            competences.append(answer.competence_code)
            languages.append(None)
            accessible.append(True)
            enemy_groups.append(None)
            for column in (discrimination, difficulty, guessing, pretest):
                column.append(0)
        discrimination[position] = answer.discrimination
        difficulty[position] = answer.difficulty
        guessing[position] = answer.guessing or 0.0
        pretest[position] = answer.pretest
    return ItemBank(
        item_ids=item_ids,
        areas=areas,
        discrimination=discrimination,
        difficulty=difficulty,
        guessing=guessing if any(guessing) or bank.is_3pl else None,
        competences=competences,
        languages=languages,
        accessible=accessible,
        pretest=pretest,
        enemy_groups=enemy_groups,
        n_areas=bank.n_areas,
    )
