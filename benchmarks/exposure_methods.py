"""Exposure control methods compared on the engine benchmark's bank and simulees.

The bank and test are those of the exposure benchmark of ``benchmarks/engine.py`` (500 items of
one area, a ~ lognormal(0, 0.25), b ~ N(0, 1); SE target 0.3, at most 40 items; learners
N(0, 1)). Every method sees the same simulees and answer draws. Compared: no control,
randomesque, Sympson-Hetter tuned by simulation, restricted and progressive-restricted
selection (Revuelta & Ponsoda, 1998) and a-stratification with b-blocking (Chang, Qian & Ying,
2001), alone or with the restriction; then the restricted method at looser caps (the frontier).
Reported: maximum exposure rate, items over the cap, mean length and its increase over no
control, RMSE and mean reported SE::

    python -m benchmarks.exposure_methods            # 2,000 simulees (about 4 minutes, 2 cores)
    python -m benchmarks.exposure_methods --quick    # 200 simulees, to check the harness

Restricted selection reads observed exposure rates; the simulation refreshes them from its
running rates every ``--refresh`` simulees, as item statistics would be refreshed in
production. Writes ``benchmarks/results/exposure_methods.json`` and prints the Markdown table of
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

from benchmarks.data import make_items

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "exposure_methods.json"
COMMAND = "python -m benchmarks.exposure_methods"

N_ITEMS = 500
SE_TARGET = 0.3
MAX_ITEMS = 40
MAX_RATE = 0.25
#: Targets of the issue: maximum exposure and extra length over no control.
TARGET_EXTRA_LENGTH = 0.10
#: Sympson-Hetter tuning as in benchmarks/engine.py (aims at MAX_RATE - margin).
TUNING_ITERATIONS = 15
TUNING_MARGIN = 0.02

#: label -> (CatConfig keyword arguments, simulate() keyword arguments).
METHODS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "none": ({}, {}),
    "randomesque 3": ({"randomesque": 3}, {}),
    "randomesque 5": ({"randomesque": 5}, {}),
    "Sympson-Hetter 0.25": ({"sympson_hetter": MAX_RATE}, {}),
    "restricted 0.25": ({"max_exposure_rate": MAX_RATE}, {"refresh": True}),
    "restricted 0.25, rates refreshed every 100 tests": (
        {"max_exposure_rate": MAX_RATE},
        {"refresh": 100},
    ),
    "progressive-restricted 0.25": (
        {"max_exposure_rate": MAX_RATE, "progressive": True},
        {"refresh": True},
    ),
    "a-stratified (3 strata, b-blocking)": ({"a_strata": 3}, {}),
    "a-stratified (3 strata) + restricted 0.25": (
        {"a_strata": 3, "max_exposure_rate": MAX_RATE},
        {"refresh": True},
    ),
    "restricted 0.30": ({"max_exposure_rate": 0.30}, {"refresh": True}),
    "restricted 0.35": ({"max_exposure_rate": 0.35}, {"refresh": True}),
    "restricted 0.40": ({"max_exposure_rate": 0.40}, {"refresh": True}),
}


def make_bank() -> Any:
    from palier.engine import ItemBank

    discrimination, difficulty = make_items(N_ITEMS, seed=31)
    return ItemBank(
        [f"i{index}" for index in range(N_ITEMS)],
        np.zeros(N_ITEMS, dtype=int),
        discrimination,
        difficulty,
    )


def run_method(label: str, n_simulees: int, refresh: int, quick: bool) -> dict[str, Any]:
    from palier.engine import CatConfig, simulate, sympson_hetter_parameters

    options, simulation = METHODS[label]
    options = dict(options)
    bank = make_bank()
    extra: dict[str, Any] = {}
    start = time.perf_counter()
    if "sympson_hetter" in options:
        max_rate = options.pop("sympson_hetter")
        tune_n, iterations = (200, 4) if quick else (n_simulees, TUNING_ITERATIONS)
        tuning = sympson_hetter_parameters(
            bank,
            CatConfig(se_target=SE_TARGET, max_items=MAX_ITEMS),
            np.random.default_rng(32).standard_normal(tune_n),
            np.random.default_rng(36),
            max_rate=max_rate,
            iterations=iterations,
            margin=TUNING_MARGIN,
        )
        options["exposure_control"] = tuning.parameters
        extra = {"tuning_iterations": tuning.iterations, "tuning_simulees": tune_n}
    tuning_seconds = time.perf_counter() - start
    config = CatConfig(se_target=SE_TARGET, max_items=MAX_ITEMS, **options)
    every = simulation.get("refresh")
    start = time.perf_counter()
    result = simulate(
        bank,
        config,
        np.random.default_rng(34).standard_normal(n_simulees),
        np.random.default_rng(35),
        exposure_refresh=refresh if every is True else every,
    )
    cap = options.get("max_exposure_rate", MAX_RATE)
    return {
        "label": label,
        "simulees": n_simulees,
        "max_exposure": result.max_exposure,
        "cap": cap,
        "items_over_cap": int(np.sum(result.exposure > cap)),
        "items_used": int(np.sum(result.exposure > 0)),
        "mean_length": result.mean_length,
        "max_length": int(result.lengths.max()),
        "rmse": float(result.rmse[0]),
        "mean_se": float(result.mean_se[0]),
        "stop_reasons": result.stop_reasons,
        "seconds": time.perf_counter() - start,
        "tuning_seconds": tuning_seconds,
        **extra,
    }


def oracle_lengths(caps: tuple[float, ...]) -> dict[float, float]:
    """Mean length of an oracle that knows each simulee's theta, under each exposure cap.

    A linear programme on 31 theta classes ``c`` (N(0, 1) weights ``w_c`` on -3..3): choose
    ``x_cj`` in ``[0, 1]`` (share of class ``c`` given item ``j``) minimising the mean length
    ``sum_c w_c sum_j x_cj`` subject to the SE target in every class,
    ``sum_j x_cj I_j(theta_c) >= 1 / se^2 - 1``, and ``sum_c w_c x_cj <= cap`` for every
    item. Its optimum bounds what any exposure control can reach on this bank: the ratio of
    the capped to the uncapped optimum is the extra length the cap itself costs.
    """
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix, vstack

    from palier.engine import information

    discrimination, difficulty = make_items(N_ITEMS, seed=31)
    thetas = np.linspace(-3.0, 3.0, 31)
    weights = np.exp(-0.5 * thetas**2)
    weights /= weights.sum()
    info = information(thetas[:, None], discrimination[None, :], difficulty[None, :])
    n_classes, n_items = info.shape
    columns = np.arange(n_classes * n_items)
    precision = coo_matrix(
        (-info.ravel(), (np.repeat(np.arange(n_classes), n_items), columns)),
        shape=(n_classes, n_classes * n_items),
    )
    exposure = coo_matrix(
        (np.repeat(weights, n_items), (np.tile(np.arange(n_items), n_classes), columns)),
        shape=(n_items, n_classes * n_items),
    )
    constraints = vstack([precision, exposure]).tocsr()
    needed = 1.0 / SE_TARGET**2 - 1.0
    lengths = {}
    for cap in caps:
        bounds = np.concatenate([np.full(n_classes, -needed), np.full(n_items, cap)])
        solution = linprog(
            np.repeat(weights, n_items),
            A_ub=constraints,
            b_ub=bounds,
            bounds=(0, 1),
            method="highs",
        )
        lengths[cap] = float(solution.fun)
    return lengths


def markdown(rows: list[dict[str, Any]]) -> str:
    free = next(row for row in rows if row["label"] == "none")["mean_length"]
    lines = [
        "| method | max exposure | items over the cap | items used | mean length "
        "| extra length | RMSE | mean SE | max exposure ≤ cap and extra ≤ 10% |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        extra = row["mean_length"] / free - 1
        met = row["max_exposure"] <= row["cap"] and extra <= TARGET_EXTRA_LENGTH
        lines.append(
            f"| {row['label']} | {row['max_exposure']:.3f} | {row['items_over_cap']} "
            f"| {row['items_used']} | {row['mean_length']:.2f} | {extra:+.1%} "
            f"| {row['rmse']:.3f} | {row['mean_se']:.3f} | {'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="200 simulees, to check the harness")
    parser.add_argument("--simulees", type=int, default=None)
    parser.add_argument("--refresh", type=int, default=10, help="tests between rate refreshes")
    parser.add_argument("--workers", type=int, default=2, help="processes (one method each)")
    arguments = parser.parse_args(argv)
    n_simulees = arguments.simulees or (200 if arguments.quick else 2000)
    start = time.perf_counter()
    labels = list(METHODS)
    with ProcessPoolExecutor(max_workers=arguments.workers) as pool:
        rows = list(
            pool.map(
                run_method,
                labels,
                [n_simulees] * len(labels),
                [arguments.refresh] * len(labels),
                [arguments.quick] * len(labels),
            )
        )
    caps = (1.0, 0.40, 0.35, 0.30, 0.25)
    oracle = oracle_lengths(caps)
    report = {
        "oracle_lengths": {str(cap): length for cap, length in oracle.items()},
        "command": COMMAND + (" --quick" if arguments.quick else ""),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "simulees": n_simulees,
        "refresh": arguments.refresh,
        "wall_seconds": time.perf_counter() - start,
        "methods": rows,
    }
    if not arguments.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(markdown(rows))
    print()
    print("| cap | oracle mean length | extra length the cap costs the oracle |")
    print("|---|---|---|")
    for cap, length in oracle.items():
        print(f"| {cap:.2f} | {length:.2f} | {length / oracle[1.0] - 1:+.1%} |")
    print(f"wall time {report['wall_seconds']:.0f} s")


if __name__ == "__main__":
    main()
