"""A pool of stored positioning results for the national dataset.

Each result is built through `assessments.results` (an `AttemptResult` given its level
reports by `with_level_reports` on the framework's cut scores, stored with `to_json`), so
the JSON is exactly what `result_of` reads. Attempts draw from the pool by ability: the
pool is ordered by mean theta, and a learner of ability a gets a result near a.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import expit

AREA_SPREAD = 0.5  # SD of an area's theta around the learner's mean ability (logits)
PICK_JITTER = 0.3
CERTIFIED_PROBABILITY = 0.95


@dataclass
class ResultPool:
    areas: list[str]
    competences: list[str]
    means: np.ndarray  # (pool,) mean theta, increasing
    levels: np.ndarray  # (pool, areas) 1-based
    thetas: np.ndarray  # (pool, areas) as stored
    ses: np.ndarray  # (pool, areas) as stored
    kinds: np.ndarray  # (pool, competences) "gap" / "expected" / "strength" / "unknown"
    items: np.ndarray  # (pool,) scored questions
    results: list[str]  # (pool,) the stored JSON
    framework_label: str
    targets: dict[tuple[int, str], int]

    @classmethod
    def build(
        cls, rng: np.random.Generator, framework: Any, engine_version: str, calibration: int,
        size: int,
    ) -> ResultPool:  # fmt: skip
        from palier.assessments.results import (
            AreaMeasure,
            AttemptResult,
            CompetenceScore,
            precision_word,
            with_level_reports,
        )
        from palier.engine import reported_level
        from palier.frameworks.models import Competence, TargetLevel
        from palier.frameworks.queries import cut_scores_by_area

        cuts = cut_scores_by_area(framework.pk)
        areas = sorted(cuts)
        competences = list(
            Competence.objects.filter(area__framework=framework)
            .order_by("code")
            .values_list("code", "area__code")
        )
        means = np.sort(rng.normal(0, 1.2, size))
        thetas = np.round(means[:, None] + rng.normal(0, AREA_SPREAD, (size, len(areas))), 4)
        ses = np.round(rng.uniform(0.3, 0.55, (size, len(areas))), 4)
        levels = np.empty((size, len(areas)), dtype=np.int64)
        kinds = np.empty((size, len(competences)), dtype=object)
        items = rng.integers(18, 40, size)
        results = []
        for index in range(size):
            measures = []
            for a, code in enumerate(areas):
                theta, se = float(thetas[index, a]), float(ses[index, a])
                levels[index, a] = reported_level(theta, se, cuts[code]).level + 1
                measures.append(
                    AreaMeasure(code, theta, se, int(levels[index, a]), (), precision_word(se))
                )
            scores = []
            for c, (code, area) in enumerate(competences):
                answered = int(rng.integers(1, 5))
                expected = float(
                    expit(thetas[index, areas.index(area)] - rng.normal(0, 1, answered)).sum()
                )
                observed = float(np.clip(round(expected + rng.normal(0, 0.7)), 0, answered))
                score = CompetenceScore(code, area, answered, observed, round(expected, 4))
                scores.append(score)
                kinds[index, c] = score.kind
            stored = AttemptResult(
                areas=tuple(measures),
                competences=tuple(scores),
                engine_version=engine_version,
                calibration=calibration,
                stop_reason="se_target",
                items=int(items[index]),
                report_threshold=None,
            )
            results.append(json.dumps(with_level_reports(stored, cuts).to_json()))
        targets = {
            (population_id, area): rank
            for population_id, area, rank in TargetLevel.objects.filter(
                framework=framework
            ).values_list("population_id", "area__code", "level_rank")
        }
        return cls(
            areas=areas,
            competences=[code for code, _ in competences],
            means=means,
            levels=levels,
            thetas=thetas,
            ses=ses,
            kinds=kinds,
            items=items,
            results=results,
            framework_label=f"{framework.code} {framework.version}",
            targets=targets,
        )

    def pick(self, rng: np.random.Generator, ability: np.ndarray) -> np.ndarray:
        """A pool index per learner, near their ability."""
        wanted = ability + rng.normal(0, PICK_JITTER, ability.size)
        return np.clip(np.searchsorted(self.means, wanted), 0, self.means.size - 1)

    def snapshot(
        self, index: int, population: Any, status: str, finished: str, year: int | None
    ) -> str:
        """The shared snapshot JSON (campaigns.services.build_snapshot's shape)."""
        from palier.assessments.results import precision_word

        areas = {
            code: {
                "level": int(self.levels[index, a]),
                "theta": float(self.thetas[index, a]),
                "se": float(self.ses[index, a]),
                "precision": precision_word(float(self.ses[index, a])),
                "target": self.targets.get((population.pk, code)),
            }
            for a, code in enumerate(self.areas)
        }
        return json.dumps(
            {
                "attempt_finished_at": finished.replace(" ", "T").replace("+00", "+00:00"),
                "framework": self.framework_label,
                "population": population.code,
                "year_of_study": year,
                "status": status,
                "external_id": "",
                "items": int(self.items[index]),
                "areas": areas,
                "competences": dict(
                    zip(self.competences, self.kinds[index].tolist(), strict=False)
                ),
                "generated": True,
            }
        )

    def level_rows(
        self, participations: np.ndarray, picked: np.ndarray, population_ids: np.ndarray
    ) -> dict[str, Any]:
        """SharedLevel columns: one row per participation and area."""
        count = len(self.areas)
        return {
            "participation_id": np.repeat(participations, count),
            "area": np.tile(self.areas, participations.size),
            "level": self.levels[picked].ravel(),
            "target": [
                self.targets.get((int(population), area))
                for population in population_ids
                for area in self.areas
            ],
            "theta": self.thetas[picked].ravel(),
        }

    def signal_rows(self, participations: np.ndarray, picked: np.ndarray) -> dict[str, Any]:
        """SharedCompetence columns: one row per participation and competence."""
        count = len(self.competences)
        return {
            "participation_id": np.repeat(participations, count),
            "competence": np.tile(self.competences, participations.size),
            "kind": self.kinds[picked].ravel(),
        }

    def certified_levels(self, rng: np.random.Generator) -> dict[str, dict[str, Any]]:
        """A jury decision's levels (certification.jury's shape) from a pool result."""
        index = int(rng.integers(0, self.means.size))
        return {
            code: {"level": int(self.levels[index, a]), "probability": CERTIFIED_PROBABILITY}
            for a, code in enumerate(self.areas)
        }
