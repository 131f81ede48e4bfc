"""Benchmark: the seed bank with the pilot calibration (synthetic data).

In a fresh database (its own var directory): load the seed, simulate a pilot of `--learners`
synthetic learners (`palier.psychometrics.pilot`, the command `make run` uses), run its
calibration, report parameter recovery; then simulate `--evaluees` new learners (five areas,
N(0, 1) margins, r = 0.6) with the pilot's TRUE item parameters taking the real test (current
engine settings, through the delivery's code path) twice: on the provisional calibration, then
on the activated pilot calibration. Per calibration: exact level per area and level within one
(share of learner-area pairs), expected calibration error of the probability of the reported
level, mean reported SE over the empirical RMSE per area, mean test length.

The true abilities are on the truth's scale; the pilot calibration is on the provisional
calibration's scale (the reference it was linked to), see psychometrics/pilot.py. Levels are
therefore scored twice: against the true theta as drawn, and against the true theta put on
the calibration's scale with the recovery's per-area constants (truth_to_draft).

    PALIER_DEBUG=1 python -m benchmarks.pilot [--learners 1500] [--evaluees 500] [--output F]

Writes benchmarks/results/pilot.json (or F) and prints the Markdown table of docs/performance.md.
Not a test: no assertion.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.classification import expected_calibration_error

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "pilot.json"
CORRELATION = 0.6
PILOT_SEED = 20261207
EVALUATION_SEED = 91


def figures(
    true_theta: np.ndarray,
    theta: np.ndarray,
    se: np.ndarray,
    level: np.ndarray,
    probability: np.ndarray,
    cut_scores: list[list[float]],
    lengths: np.ndarray,
) -> dict[str, Any]:
    """Classification figures of (learner, area) results against the true abilities."""
    true_level = np.stack(
        [
            np.searchsorted(np.asarray(cut_scores[area]), true_theta[:, area], side="right") + 1
            for area in range(true_theta.shape[1])
        ],
        axis=1,
    )
    right = level == true_level
    rmse = np.sqrt(((theta - true_theta) ** 2).mean(axis=0))
    return {
        "exact": round(float(right.mean()), 4),
        "exact_per_area": [round(float(value), 3) for value in right.mean(axis=0)],
        "within_one": round(float((np.abs(level - true_level) <= 1).mean()), 4),
        "ece": round(expected_calibration_error(probability.ravel(), right.ravel()), 4),
        "mean_se_per_area": [round(float(value), 3) for value in se.mean(axis=0)],
        "rmse_per_area": [round(float(value), 3) for value in rmse],
        "se_over_rmse_per_area": [round(float(value), 3) for value in se.mean(axis=0) / rmse],
        "mean_length": round(float(lengths.mean()), 2),
    }


def evaluate(calibration: Any, truth: dict, count: int, label: str) -> dict[str, Any]:
    """`count` new synthetic learners take the real test on `calibration`."""
    from palier.accounts.models import User
    from palier.assessments.engine_adapter import bank_snapshot
    from palier.assessments.services import current_settings
    from palier.assessments.synthetic import (
        SyntheticLearner,
        TrueItem,
        create_synthetic_attempts,
    )

    snapshot = bank_snapshot(calibration)
    n_areas = len(snapshot.area_codes)
    matrix = np.full((n_areas, n_areas), CORRELATION)
    np.fill_diagonal(matrix, 1.0)
    rng = np.random.default_rng(EVALUATION_SEED)
    thetas = rng.multivariate_normal(np.zeros(n_areas), matrix, size=count)
    User.objects.bulk_create(
        User(email=f"evaluation-{label}-{index:05d}@simulation.invalid", is_active=False)
        for index in range(count)
    )
    users = list(User.objects.filter(email__startswith=f"evaluation-{label}-").order_by("email"))
    learners = [
        SyntheticLearner(
            user=user,
            abilities={
                code: float(thetas[index, area]) for area, code in enumerate(snapshot.area_codes)
            },
        )
        for index, user in enumerate(users)
    ]
    true_items = {int(key): TrueItem(*value) for key, value in truth.items()}
    started = time.perf_counter()
    attempts = create_synthetic_attempts(learners, calibration, current_settings(), true_items, rng)
    seconds = time.perf_counter() - started
    codes = snapshot.area_codes
    measures = [[attempt.result["areas"][code] for code in codes] for attempt in attempts]
    theta = np.array([[m["theta"] for m in row] for row in measures])
    se = np.array([[m["se"] for m in row] for row in measures])
    level = np.array([[m["level"] for m in row] for row in measures])
    # The probability of the level reported (the level of theta), as the result page gives it.
    probability = np.array(
        [[m["level_probabilities"][m["level"] - 1] for m in row] for row in measures]
    )
    lengths = np.array([a.result["items"] for a in attempts])
    cuts = [list(cut) for cut in snapshot.cut_scores]
    return {
        "codes": codes,
        "thetas": thetas,
        "theta": theta,
        "se": se,
        "level": level,
        "probability": probability,
        "lengths": lengths,
        "cuts": cuts,
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=None, help="pilot size (default: demo)")
    parser.add_argument("--evaluees", type=int, default=500)
    parser.add_argument("--output", type=Path, default=RESULTS)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
        os.environ["PALIER_VAR_DIR"] = folder
        os.environ.setdefault("PALIER_DEBUG", "1")
        import django

        django.setup()
        from django.core.management import call_command

        from palier.assessments.models import Response
        from palier.frameworks.queries import current_framework
        from palier.items.models import Calibration
        from palier.psychometrics.pilot import SIZES, activate_pilot, run_pilot, simulate_pilot

        call_command("migrate", verbosity=0)
        call_command("seed", verbosity=0)
        framework = current_framework()
        learners = options.learners or SIZES["demo"]
        started, cpu = time.perf_counter(), time.process_time()
        pilot = simulate_pilot(framework, learners, PILOT_SEED)
        simulated, simulated_cpu = time.perf_counter() - started, time.process_time() - cpu
        started = time.perf_counter()
        run = run_pilot(pilot)
        calibrated = time.perf_counter() - started
        pilot.refresh_from_db()
        pilot_responses = Response.objects.filter(attempt__synthetic=True).count()
        provisional = Calibration.objects.get(framework=framework, is_active=True)
        rows: dict[str, Any] = {}
        baseline = evaluate(provisional, pilot.true_parameters, options.evaluees, "provisional")
        activate_pilot(pilot)
        calibrated_bank = Calibration.objects.get(framework=framework, is_active=True)
        evaluation = evaluate(calibrated_bank, pilot.true_parameters, options.evaluees, "pilot")
        links = pilot.recovery["areas"]
        for label, result in (("provisional", baseline), ("pilot", evaluation)):
            scaled = result["thetas"].copy()
            for area, code in enumerate(result["codes"]):
                link = links[code]["truth_to_draft"]
                scaled[:, area] = link["slope"] * scaled[:, area] + link["intercept"]
            for truth_label, true_theta in (
                ("as drawn", result["thetas"]),
                ("on the pilot scale", scaled),
            ):
                rows[f"{label}, truth {truth_label}"] = figures(
                    true_theta,
                    result["theta"],
                    result["se"],
                    result["level"],
                    result["probability"],
                    result["cuts"],
                    result["lengths"],
                )
        report = {
            "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            "pilot_learners": learners,
            "pilot_responses": pilot_responses,
            "simulate_seconds": round(simulated, 1),
            "seconds_per_1000_learners": round(simulated / learners * 1000, 1),
            # Processor time of this process: what an idle machine would take.
            "cpu_seconds_per_1000_learners": round(simulated_cpu / learners * 1000, 1),
            "counts": (run.summary or {}).get("counts"),
            "calibration_seconds": round(calibrated, 1),
            "run_summary_seconds": (run.summary or {}).get("seconds"),
            "blocking": (run.summary or {}).get("blocking"),
            "recovery": pilot.recovery,
            "evaluees": options.evaluees,
            "evaluation_seconds": {
                "provisional": baseline["seconds"],
                "pilot": evaluation["seconds"],
            },
            "figures": rows,
        }
        options.output.parent.mkdir(parents=True, exist_ok=True)
        options.output.write_text(json.dumps(report, indent=2) + "\n")
        print(markdown(report))


def markdown(report: dict[str, Any]) -> str:
    lines = [
        "| calibration, truth | exact level | within one | ECE | mean SE / RMSE per area "
        "| mean length |",
        "|---|---|---|---|---|---|",
    ]
    for label, row in report["figures"].items():
        ratios = ", ".join(f"{value:.2f}" for value in row["se_over_rmse_per_area"])
        lines.append(
            f"| {label} | {row['exact']:.1%} | {row['within_one']:.1%} | {row['ece']:.3f} | "
            f"{ratios} | {row['mean_length']:.1f} |"
        )
    recovery = report["recovery"]
    lines += [
        "",
        "| recovery (truth on the draft's scale) | items | RMSE | mean abs. bias | correlation |",
        "|---|---|---|---|---|",
    ]
    for name in ("a", "b"):
        row = recovery[name]
        lines.append(
            f"| {name} | {recovery['items']} | {row['rmse']:.3f} | {row['mean_abs_bias']:.3f} | "
            f"{row['correlation']:.3f} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    main()
