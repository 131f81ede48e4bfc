"""Recompute an attempt from its stored responses, with the parameters stored on each
response and the attempt's own engine settings (not today's)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from palier.assessments.models import Attempt
from palier.assessments.services import attempt_rng
from palier.engine import Answer, CatConfig, ItemBank, next_step


@dataclass(frozen=True)
class Rescore:
    matches: bool
    lines: list[str]


def rescore(attempt: Attempt) -> Rescore:
    responses = list(
        attempt.responses.select_related("item_version__capacity__competence__area").order_by(
            "position"
        )
    )
    if not responses:
        return Rescore(False, ["No stored responses."])
    from palier.assessments.engine_adapter import bank_snapshot

    snapshot = bank_snapshot(attempt.calibration)
    area_codes = list(snapshot.area_codes)
    bank = ItemBank(
        item_ids=[str(r.item_version_id) for r in responses],
        areas=[area_codes.index(r.item_version.capacity.competence.area.code) for r in responses],
        discrimination=[r.discrimination for r in responses],
        difficulty=[r.difficulty for r in responses],
        pretest=[r.pretest for r in responses],
        n_areas=len(area_codes),
    )
    settings = attempt.engine_settings
    correlation = None
    if settings.area_correlation > 0 and len(area_codes) > 1:
        correlation = np.full((len(area_codes),) * 2, settings.area_correlation)
        np.fill_diagonal(correlation, 1.0)
    # Estimation only: every item is known, so the test is scored, not continued.
    config = CatConfig(
        version=settings.version,
        se_target=settings.se_target,
        max_items=max(len(responses), 1),
        min_items=0,
        areas=snapshot.area_indices(attempt.areas),
        correlation=correlation,
    )
    history = [Answer(str(r.item_version_id), r.correct) for r in responses]
    step = next_step(bank, history, config, attempt_rng(attempt))
    lines, matches = [], True
    for code in attempt.areas:
        index = area_codes.index(code)
        stored = (attempt.result or {}).get("areas", {}).get(code, {})
        theta, se = float(step.theta[index]), float(step.se[index])
        same = (
            abs(theta - stored.get("theta", np.nan)) < 1e-3
            and abs(se - stored.get("se", np.nan)) < 1e-3
        )
        matches = matches and same
        lines.append(
            f"{code}: stored theta={stored.get('theta')} se={stored.get('se')}; "
            f"recomputed theta={theta:.4f} se={se:.4f} {'OK' if same else 'DIFFERS'}"
        )
    return Rescore(matches, lines)
