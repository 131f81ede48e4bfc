"""Classification accuracy of the positioning test: levels per area and their probabilities.

Simulated learners with five correlated area abilities (r = 0.6, N(0, 1) margins) take an
adaptive test of at most 40 questions on a bank calibrated like a real one (100 items per
area, discriminations lognormal with median 1.2, difficulties N(0, 1.2)), with the seed
framework's cut scores [-1.5, -0.5, 0.5, 1.5] in every area and the correlation in the
prior. Every configuration sees the same simulees, bank and answer draws. Reported per
configuration: test length, exact level and level within one (share of (learner, area)
pairs), the expected calibration error of the reported level probabilities, and the mean
reported SE over the empirical RMSE per area::

    python -m benchmarks.classification            # 500 learners (about 3 minutes on 2 idle cores)
    python -m benchmarks.classification --quick    # 60 learners, to check the harness

Writes ``benchmarks/results/classification.json`` and prints the Markdown table of
docs/performance.md. Never run from the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "classification.json"
COMMAND = "python -m benchmarks.classification"

N_AREAS = 5
ITEMS_PER_AREA = 100
CUT_SCORES = (-1.5, -0.5, 0.5, 1.5)
CORRELATION = 0.6
MAX_ITEMS = 40
#: Discriminations lognormal(log 1.2, 0.32): median 1.2, 90% between about 0.7 and 2.0.
DISCRIMINATION_MEDIAN = 1.2
DISCRIMINATION_LOG_SD = 0.32
DIFFICULTY_SD = 1.2
CALIBRATION_BINS = 10
#: Targets of the issue.
TARGETS = {"exact": 0.70, "within_one": 0.99, "ece": 0.05, "se_over_rmse": 0.10}
#: Configurations compared: label -> CatConfig keyword arguments (on top of the common ones).
CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "SE 0.30": {"se_target": 0.30},
    "SE 0.35": {"se_target": 0.35},
    "SE 0.40": {"se_target": 0.40},
    "level probability 0.8": {"se_target": 0.30, "level_probability_target": 0.8},
    "level probability 0.9": {"se_target": 0.30, "level_probability_target": 0.9},
    "level probability 0.9, information at the cut": {
        "se_target": 0.30,
        "level_probability_target": 0.9,
        "cut_information": True,
    },
    "SE 0.30, restricted exposure 0.25": {
        "se_target": 0.30,
        "max_exposure_rate": 0.25,
        "exposure_refresh": 10,
    },
}


def correlation_matrix() -> NDArray[np.float64]:
    matrix = np.full((N_AREAS, N_AREAS), CORRELATION)
    np.fill_diagonal(matrix, 1.0)
    return matrix


def make_bank(seed: int = 51) -> Any:
    """The benchmark bank (parameters drawn once from a fixed seed)."""
    from palier.engine import ItemBank

    rng = np.random.default_rng(seed)
    n_items = N_AREAS * ITEMS_PER_AREA
    discrimination = rng.lognormal(np.log(DISCRIMINATION_MEDIAN), DISCRIMINATION_LOG_SD, n_items)
    difficulty = rng.normal(0.0, DIFFICULTY_SD, n_items)
    return ItemBank(
        [f"item-{index:04d}" for index in range(n_items)],
        np.repeat(np.arange(N_AREAS), ITEMS_PER_AREA),
        discrimination,
        difficulty,
    )


def make_learners(n_learners: int, seed: int = 52) -> NDArray[np.float64]:
    rng = np.random.default_rng(seed)
    return rng.multivariate_normal(np.zeros(N_AREAS), correlation_matrix(), size=n_learners)


def expected_calibration_error(confidence: NDArray[np.float64], right: NDArray[np.bool_]) -> float:
    """ECE = sum_b n_b / N |accuracy_b - mean confidence_b| over 10 equal-width bins.

    Reference: Guo, C., Pleiss, G., Sun, Y., & Weinberger, K. Q. (2017). On calibration of
    modern neural networks. *ICML*.
    """
    bins = np.minimum((confidence * CALIBRATION_BINS).astype(np.intp), CALIBRATION_BINS - 1)
    total = 0.0
    for index in range(CALIBRATION_BINS):
        inside = bins == index
        if inside.any():
            total += inside.sum() * abs(right[inside].mean() - confidence[inside].mean())
    return float(total / confidence.size)


def expected_accuracy(posterior_sd: float, nodes: int = 4001) -> float:
    """Exact-level share a calibrated test reaches with posterior SD ``posterior_sd``.

    With ``theta ~ N(0, 1)`` and a normal posterior ``N(m, s^2)``, the posterior mean has
    ``m ~ N(0, 1 - s^2)`` and the most probable level is right with probability
    ``max_k P(level k | m, s)``; the expected exact share is its mean over ``m`` (trapezoid rule
    on +-8 SD). Used to say what precision, hence what length, a target would need.
    """
    from palier.engine import level_probabilities

    spread = np.sqrt(1.0 - posterior_sd**2)
    means = np.linspace(-8.0, 8.0, nodes) * spread
    density = np.exp(-0.5 * (means / spread) ** 2)
    best = level_probabilities(means, np.full(nodes, posterior_sd), CUT_SCORES).max(axis=-1)
    return float(np.trapezoid(best * density, means) / np.trapezoid(density, means))


def needed_precision(exact: float) -> float:
    """Largest posterior SD whose expected exact share reaches ``exact`` (bisection)."""
    low, high = 0.01, 0.99
    for _ in range(60):
        middle = (low + high) / 2
        low, high = (middle, high) if expected_accuracy(middle) >= exact else (low, middle)
    return low


def borrowed_precision() -> float:
    """Prior precision of one area when the other areas are known exactly: ``1 / (1 - r' R^-1 r)``.

    The correlated prior gives an area between 1 (nothing known elsewhere) and this much
    precision before its own items.
    """
    matrix = correlation_matrix()
    others = matrix[0, 1:]
    conditional = 1.0 - others @ np.linalg.solve(matrix[1:, 1:], others)
    return float(1.0 / conditional)


def frontier(row: dict[str, Any]) -> list[dict[str, float]]:
    """Posterior SD and rough length needed for several exact-level shares.

    The information per item is read from a simulated configuration, ``(1 / se^2 - p0) / n``
    per area (``n`` items), and the length needed is ``(1 / sd^2 - p0) / information``, with
    the prior precision ``p0`` between 1 (no borrowing between areas) and
    :func:`borrowed_precision` (full borrowing); the range of the two is reported.
    """
    se = np.asarray(row["mean_se_per_area"])
    items = np.asarray(row["items_per_area"])
    rows = []
    for exact in (0.70, 0.75, 0.80, 0.85, 0.90):
        sd = needed_precision(exact)
        lengths = []
        for prior_precision in (borrowed_precision(), 1.0):
            per_item = float(np.mean((1.0 / se**2 - prior_precision) / items))
            lengths.append(max(0.0, (1.0 / sd**2 - prior_precision) / per_item))
        rows.append(
            {
                "exact": exact,
                "posterior_sd": sd,
                "items_per_area_low": min(lengths),
                "items_per_area_high": max(lengths),
            }
        )
    return rows


def classification_figures(
    true_theta: NDArray[np.float64], theta: NDArray[np.float64], se: NDArray[np.float64]
) -> dict[str, Any]:
    """Accuracy of the reported level (the most probable one) and calibration of its probability."""
    from palier.engine import level, level_probabilities

    probabilities = level_probabilities(theta, se, CUT_SCORES)
    reported = probabilities.argmax(axis=-1)
    confidence = probabilities.max(axis=-1)
    truth = level(true_theta, CUT_SCORES)
    right = reported == truth
    rmse = np.sqrt(((theta - true_theta) ** 2).mean(axis=0))
    ratio = se.mean(axis=0) / rmse
    # Calibration per confidence bin, for the reliability table.
    bins = np.minimum((confidence * CALIBRATION_BINS).astype(np.intp), CALIBRATION_BINS - 1)
    reliability = [
        {
            "bin": f"{index / CALIBRATION_BINS:.1f}-{(index + 1) / CALIBRATION_BINS:.1f}",
            "n": int((bins == index).sum()),
            "mean_confidence": float(confidence[bins == index].mean()),
            "accuracy": float(right[bins == index].mean()),
        }
        for index in range(CALIBRATION_BINS)
        if (bins == index).any()
    ]
    return {
        "exact": float(right.mean()),
        "within_one": float((np.abs(reported - truth) <= 1).mean()),
        # The level of theta itself, for comparison with the most probable level.
        "exact_level_of_theta": float((level(theta, CUT_SCORES) == truth).mean()),
        "ece": expected_calibration_error(confidence, right),
        "mean_confidence": float(confidence.mean()),
        "rmse_per_area": [round(float(value), 4) for value in rmse],
        "mean_se_per_area": [round(float(value), 4) for value in se.mean(axis=0)],
        "se_over_rmse_per_area": [round(float(value), 3) for value in ratio],
        "reliability": reliability,
    }


def run_configuration(label: str, n_learners: int) -> dict[str, Any]:
    from palier.engine import CatConfig, simulate

    options = dict(CONFIGURATIONS[label])
    refresh = options.pop("exposure_refresh", None)
    config = CatConfig(
        version=f"benchmark {label}",
        max_items=MAX_ITEMS,
        min_items_per_area=2,
        correlation=correlation_matrix(),
        cut_scores=(CUT_SCORES,) * N_AREAS,
        **options,
    )
    start, cpu = time.perf_counter(), time.process_time()
    result = simulate(
        make_bank(),
        config,
        make_learners(n_learners),
        np.random.default_rng(53),
        exposure_refresh=refresh,
    )
    seconds = time.perf_counter() - start
    figures = classification_figures(result.true_theta, result.theta, result.se)
    return {
        "label": label,
        "options": options,
        "learners": n_learners,
        "mean_length": result.mean_length,
        "max_length": int(result.lengths.max()),
        "items_per_area": [round(float(value), 2) for value in result.items_per_area],
        "max_exposure": result.max_exposure,
        "stop_reasons": result.stop_reasons,
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        **figures,
    }


def meets(row: dict[str, Any]) -> dict[str, bool]:
    ratios = np.asarray(row["se_over_rmse_per_area"])
    return {
        "exact": row["exact"] >= TARGETS["exact"],
        "within_one": row["within_one"] >= TARGETS["within_one"],
        "ece": row["ece"] <= TARGETS["ece"],
        "se_over_rmse": bool(np.all(np.abs(ratios - 1) <= TARGETS["se_over_rmse"])),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| stopping rule | mean length | max length | exact level | within one | ECE "
        "| mean SE / RMSE per area | max exposure | all targets |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratios = ", ".join(f"{value:.2f}" for value in row["se_over_rmse_per_area"])
        met = "yes" if all(meets(row).values()) else "no"
        lines.append(
            f"| {row['label']} | {row['mean_length']:.1f} | {row['max_length']} "
            f"| {row['exact']:.1%} | {row['within_one']:.2%} | {row['ece']:.3f} | {ratios} "
            f"| {row['max_exposure']:.2f} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="60 learners, to check the harness")
    parser.add_argument("--learners", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="processes (one configuration each)")
    arguments = parser.parse_args(argv)
    n_learners = arguments.learners or (60 if arguments.quick else 500)
    start = time.perf_counter()
    # Configurations are independent and seeded, so the figures do not depend on the workers.
    with ProcessPoolExecutor(max_workers=arguments.workers) as pool:
        rows = list(pool.map(run_configuration, CONFIGURATIONS, [n_learners] * len(CONFIGURATIONS)))
    report = {
        "frontier": frontier(rows[0]),
        "command": COMMAND + (" --quick" if arguments.quick else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "learners": n_learners,
        "targets": TARGETS,
        "wall_seconds": time.perf_counter() - start,
        "configurations": rows,
    }
    if not arguments.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(rows))
    for row in rows:
        print(row["label"], row["stop_reasons"], row["items_per_area"], f"{row['seconds']:.0f} s")
    print()
    print("| exact level | posterior SD needed | questions per area | questions (5 areas) |")
    print("|---|---|---|---|")
    for point in report["frontier"]:
        low, high = point["items_per_area_low"], point["items_per_area_high"]
        print(
            f"| {point['exact']:.0%} | {point['posterior_sd']:.3f} | {low:.0f}-{high:.0f} "
            f"| {low * N_AREAS:.0f}-{high * N_AREAS:.0f} |"
        )
    print(f"wall time {report['wall_seconds']:.0f} s")


if __name__ == "__main__":
    main()
