"""Benchmarks of Palier's engine against catsim, adaptivetesting, girth (and mirt if R has it).

One command runs everything on the same simulated data and writes
``benchmarks/results/engine.json`` and the engine section of ``docs/performance.md``::

    python -m benchmarks.engine            # full run (about 20-30 minutes on 2 cores)
    python -m benchmarks.engine --quick    # small sizes, to check the harness (a minute)

Peers come from the ``bench`` optional dependencies (``pip install -e '.[bench]'``). Each
calibration runs in a fresh subprocess so that its peak memory (maximum resident set size)
is its own. Never run from the test suite.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.data import make_items, make_responses

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "engine.json"
PERFORMANCE = ROOT / "docs" / "performance.md"
BEGIN = "<!-- engine-benchmarks:begin -->"
END = "<!-- engine-benchmarks:end -->"
COMMAND = "python -m benchmarks.engine"


def rmse(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(np.sqrt(np.mean((np.asarray(estimate) - truth) ** 2)))


def peak_rss_mb() -> float:
    """Maximum resident set size of this process so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------- calibration


def calibration_worker(arguments: argparse.Namespace) -> dict[str, Any]:
    """Generate the data, calibrate with one library, print one JSON line."""
    a, b = make_items(arguments.items, seed=arguments.seed)
    person, item, correct = make_responses(
        a, b, arguments.persons, arguments.per_person, arguments.seed + 1
    )
    baseline = peak_rss_mb()
    result: dict[str, Any] = {"library": arguments.library, "responses": int(person.size)}
    if arguments.library.startswith("palier"):
        from palier.engine import calibrate

        options = {
            "palier": {},
            "palier-no-se": {"standard_errors": False},
            "palier-float32-no-se": {"standard_errors": False, "single_precision": True},
        }[arguments.library]
        start = time.perf_counter()
        calibration = calibrate(person, item, correct, **options)
        result["seconds"] = time.perf_counter() - start
        result["iterations"] = calibration.iterations
        result["converged"] = calibration.converged
        estimate_a, estimate_b = calibration.discrimination, calibration.difficulty
    elif arguments.library == "girth":
        import girth

        dataset = np.full((arguments.items, arguments.persons), -99999, dtype=np.int64)
        dataset[item, person] = correct
        del person, item, correct
        start = time.perf_counter()
        estimates = girth.twopl_mml(dataset)
        result["seconds"] = time.perf_counter() - start
        estimate_a = np.asarray(estimates["Discrimination"])
        estimate_b = np.asarray(estimates["Difficulty"])
    else:
        raise SystemExit(f"unknown library {arguments.library}")
    result["rmse_a"] = rmse(estimate_a, a)
    result["rmse_b"] = rmse(estimate_b, b)
    result["peak_rss_mb"] = peak_rss_mb()
    result["data_rss_mb"] = baseline
    return result


def run_calibration(
    library: str, persons: int, items: int, per_person: int, timeout: float
) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "benchmarks.engine",
        "calibration-worker",
        "--library",
        library,
        "--persons",
        str(persons),
        "--items",
        str(items),
        "--per-person",
        str(per_person),
    ]
    print(f"  {library}: {persons} x {items}, {per_person} each ...", flush=True)
    try:
        completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
            command, capture_output=True, text=True, timeout=timeout, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"library": library, "error": f"timed out after {timeout:.0f} s"}
    if completed.returncode != 0:
        return {"library": library, "error": completed.stderr.strip().splitlines()[-1:]}
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result.update(persons=persons, items=items, per_person=per_person)
    print(
        f"    {result['seconds']:.2f} s, RMSE(a) {result['rmse_a']:.4f}, "
        f"RMSE(b) {result['rmse_b']:.4f}, peak {result['peak_rss_mb']:.0f} MB",
        flush=True,
    )
    return result


def mirt_status() -> dict[str, Any]:
    """Whether R and its mirt package can be called here."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return {
            "available": False,
            "reason": "Rscript not installed (no r-cran-mirt package in Debian)",
        }
    completed = subprocess.run(  # noqa: S603 - fixed arguments
        [rscript, "-e", "library(mirt)"], capture_output=True, text=True, timeout=60, check=False
    )
    if completed.returncode != 0:
        return {"available": False, "reason": "R is installed but the mirt package is not"}
    return {"available": True}


# --------------------------------------------------------------------------- adaptive step


@dataclass(frozen=True)
class Stepper:
    """One library's adaptive step: ``prepare`` turns (item indices, answers) into its input
    format (not timed), ``run`` estimates and selects (timed)."""

    prepare: Callable[[list[int], list[bool]], Any]
    run: Callable[[Any], tuple[int, float, float]]

    def __call__(self, administered: list[int], answers: list[bool]) -> tuple[int, float, float]:
        return self.run(self.prepare(administered, answers))


def _unchanged(administered: list[int], answers: list[bool]) -> tuple[list[int], list[bool]]:
    return administered, answers


def catsim_step_factory(a: np.ndarray, b: np.ndarray) -> Stepper:
    import catsim.irt
    from catsim.estimation.numerical import NumericalSearchEstimator
    from catsim.item_bank import ItemBank as CatsimBank
    from catsim.selection.selection import MaxInfoSelector

    items = np.column_stack([a, b, np.zeros_like(a), np.ones_like(a)])
    bank = CatsimBank(items)
    estimator = NumericalSearchEstimator()
    selector = MaxInfoSelector()

    def step(administered: list[int], answers: list[bool]) -> tuple[int, float, float]:
        if not administered:  # catsim's estimator needs at least one answer
            theta, se = 0.0, float("inf")
        else:
            theta = estimator.estimate(
                item_bank=bank,
                administered_items=administered,
                response_vector=answers,
                est_theta=0.0,
            )
            se = float(catsim.irt.see(theta, items[administered]))
        chosen = selector.select(item_bank=bank, administered_items=administered, est_theta=theta)
        return int(chosen), float(theta), se

    return Stepper(_unchanged, lambda arguments: step(*arguments))


def adaptivetesting_step_factory(a: np.ndarray, b: np.ndarray) -> Stepper:
    from adaptivetesting.math.estimators import ExpectedAPosteriori, NormalPrior
    from adaptivetesting.math.item_selection import maximum_information_criterion
    from adaptivetesting.models import TestItem

    pool = []
    for index in range(a.size):
        test_item = TestItem()
        test_item.a, test_item.b, test_item.c, test_item.d = (
            float(a[index]),
            float(b[index]),
            0.0,
            1.0,
        )
        test_item.id = index
        pool.append(test_item)
    prior = NormalPrior(0, 1)

    def step(administered: list[int], answers: list[bool]) -> tuple[int, float, float]:
        if administered:
            estimator = ExpectedAPosteriori(
                np.array(answers, dtype=int), [pool[i] for i in administered], prior
            )
            theta = float(estimator.get_estimation())
            se = float(estimator.get_standard_error(theta))
        else:
            theta, se = 0.0, 1.0
        taken = set(administered)
        chosen = maximum_information_criterion(
            [item for item in pool if item.id not in taken], theta
        )
        return int(chosen.id), theta, se

    return Stepper(_unchanged, lambda arguments: step(*arguments))


def palier_step_factory(a: np.ndarray, b: np.ndarray) -> Stepper:
    from palier.engine import Answer, CatConfig, ItemBank, next_step

    bank = ItemBank([f"item-{index}" for index in range(a.size)], np.zeros(a.size, dtype=int), a, b)
    # Stopping is decided by run_cat with the same rule for every library.
    config = CatConfig(se_target=1e-3, max_items=a.size)
    generator = np.random.default_rng(0)

    def prepare(administered: list[int], answers: list[bool]) -> list[Answer]:
        return [
            Answer(bank.item_ids[i], bool(x)) for i, x in zip(administered, answers, strict=True)
        ]

    def step(history: list[Answer]) -> tuple[int, float, float]:
        result = next_step(bank, history, config, generator)
        assert result.item_id is not None
        return bank.index_of(result.item_id), float(result.theta[0]), float(result.se[0])

    return Stepper(prepare, step)


def time_steps(
    step: Stepper,
    histories: list[tuple[list[int], list[bool]]],
    repeats: int,
) -> float:
    """Median wall time of one step over the histories (each timed ``repeats`` times); the
    conversion of the history into the library's input format is not timed."""
    times = []
    for administered, answers in histories:
        prepared = step.prepare(administered, answers)
        step.run(prepared)
        for _ in range(repeats):
            start = time.perf_counter()
            step.run(prepared)
            times.append(time.perf_counter() - start)
    return float(np.median(times))


def step_histories(
    a: np.ndarray, b: np.ndarray, count: int, seed: int
) -> list[tuple[list[int], list[bool]]]:
    """Mid-test histories (5 to 35 answers) from Palier CATs on simulees theta ~ N(0, 1)."""
    from palier.engine.irt import probability

    step = palier_step_factory(a, b)
    rng = np.random.default_rng(seed)
    histories = []
    for _ in range(count):
        theta = rng.standard_normal()
        length = int(rng.integers(5, 36))
        administered: list[int] = []
        answers: list[bool] = []
        while len(administered) < length:
            chosen, _, _ = step(administered, answers)
            administered.append(chosen)
            answers.append(bool(rng.random() < probability(theta, a[chosen], b[chosen])))
        histories.append((administered, answers))
    return histories


def run_cat(
    step: Stepper,
    a: np.ndarray,
    b: np.ndarray,
    thetas: np.ndarray,
    seed: int,
    se_target: float = 0.3,
    max_items: int = 40,
) -> dict[str, Any]:
    """Whole tests with one library's step: max information, SE <= se_target or max_items."""
    from palier.engine.irt import probability

    rng = np.random.default_rng(seed)
    lengths, estimates = [], []
    for theta in thetas:
        administered: list[int] = []
        answers: list[bool] = []
        estimate = 0.0
        while True:
            chosen, estimate, se = step(administered, answers)
            if se <= se_target or len(administered) >= max_items:
                break
            administered.append(chosen)
            answers.append(bool(rng.random() < probability(theta, a[chosen], b[chosen])))
        lengths.append(len(administered))
        estimates.append(estimate)
    return {
        "simulees": int(thetas.size),
        "mean_length": float(np.mean(lengths)),
        "rmse": rmse(np.array(estimates), thetas),
        "bias": float(np.mean(np.array(estimates) - thetas)),
    }


# --------------------------------------------------------------------------- CAT quality


def ideal_bank_bound(a: np.ndarray, se_target: float) -> int:
    """Fewest items whose information at perfect targeting (a^2 / 4) reaches 1 / se^2."""
    cumulative = np.cumsum(np.sort(a**2 / 4)[::-1])
    return int(np.searchsorted(cumulative, 1 / se_target**2) + 1)


def efficiency(quick: bool) -> dict[str, Any]:
    """Mean length to SE <= 0.3 against the ideal-bank bound, on a 500- and a 5,000-item bank."""
    from palier.engine import CatConfig, ItemBank, simulate

    results: dict[str, Any] = {}
    for n_items in (500, 5000):
        a, _ = make_items(n_items, seed=11)
        b = np.random.default_rng(12).uniform(-3, 3, n_items)
        bank = ItemBank([f"i{k}" for k in range(n_items)], np.zeros(n_items, dtype=int), a, b)
        n = 300 if quick else 2000
        rng = np.random.default_rng(13)
        result = simulate(
            bank, CatConfig(se_target=0.3, max_items=200), rng.standard_normal(n), rng
        )
        bound = ideal_bank_bound(a, 0.3)
        # Oracle: the fewest items of this bank that reach SE 0.3 at the simulee's true theta
        # (prior information 1 included), i.e. perfect knowledge of theta from the start.
        from palier.engine.irt import information_2pl

        needed = 1 / 0.3**2 - 1
        oracle = [
            int(np.searchsorted(np.cumsum(np.sort(information_2pl(theta, a, b))[::-1]), needed) + 1)
            for theta in result.true_theta[:, 0]
        ]
        results[f"bank_{n_items}"] = {
            "oracle_mean_length": float(np.mean(oracle)),
            "ratio_to_oracle": result.mean_length / float(np.mean(oracle)),
            "simulees": n,
            "mean_length": result.mean_length,
            "ideal_bank_bound": bound,
            "ratio": result.mean_length / bound,
            "rmse": float(result.rmse[0]),
            "mean_se": float(result.mean_se[0]),
            "stop_reasons": result.stop_reasons,
        }
    return results


def multidimensional_gain(quick: bool) -> dict[str, Any]:
    from palier.engine import CatConfig, ItemBank, simulate

    n_areas, per_area = 5, 120
    a, b = make_items(n_areas * per_area, seed=21)
    areas = np.repeat(np.arange(n_areas), per_area)
    bank = ItemBank([f"i{k}" for k in range(a.size)], areas, a, b)
    correlation = np.full((n_areas, n_areas), 0.7) + 0.3 * np.eye(n_areas)
    n = 100 if quick else 1000
    thetas = np.random.default_rng(22).multivariate_normal(np.zeros(n_areas), correlation, size=n)
    results = {}
    for label, config in (
        ("independent", CatConfig(se_target=0.45, max_items=n_areas * per_area)),
        (
            "correlated_eap",
            CatConfig(se_target=0.45, max_items=n_areas * per_area, correlation=correlation),
        ),
        (
            "correlated_map",
            CatConfig(
                se_target=0.45,
                max_items=n_areas * per_area,
                correlation=correlation,
                estimator="map",
            ),
        ),
    ):
        start = time.perf_counter()
        result = simulate(bank, config, thetas, np.random.default_rng(23))
        results[label] = {
            "mean_length": result.mean_length,
            "rmse_per_area": [round(float(value), 4) for value in result.rmse],
            "mean_se_per_area": [round(float(value), 4) for value in result.mean_se],
            "seconds": time.perf_counter() - start,
        }
    independent = results["independent"]["mean_length"]
    for label in ("correlated_eap", "correlated_map"):
        results[label]["fewer_items"] = 1 - results[label]["mean_length"] / independent
        # An RMSE estimated from n simulees has a sampling SD of about RMSE / sqrt(2 n): "not
        # worse" allows two such SDs per area.
        independent_rmse = np.array(results["independent"]["rmse_per_area"])
        tolerance = 2 * independent_rmse / np.sqrt(2 * n)
        results[label]["rmse_not_worse"] = bool(
            np.all(np.array(results[label]["rmse_per_area"]) <= independent_rmse + tolerance)
        )
        results[label]["rmse_tolerance"] = [round(float(value), 4) for value in tolerance]
    results["simulees"] = n
    return results


def exposure(quick: bool) -> dict[str, Any]:
    from palier.engine import CatConfig, ItemBank, simulate, sympson_hetter_parameters

    a, b = make_items(500, seed=31)
    bank = ItemBank([f"i{k}" for k in range(500)], np.zeros(500, dtype=int), a, b)
    config = CatConfig(se_target=0.3, max_items=40)
    tune_n, check_n, iterations = (300, 300, 4) if quick else (2000, 4000, 15)
    rng = np.random.default_rng(32)
    free = simulate(bank, config, rng.standard_normal(check_n), np.random.default_rng(33))
    start = time.perf_counter()
    tuning = sympson_hetter_parameters(
        bank,
        config,
        rng.standard_normal(tune_n),
        rng,
        max_rate=0.25,
        iterations=iterations,
        margin=0.02,
    )
    seconds = time.perf_counter() - start
    tuned_config = CatConfig(se_target=0.3, max_items=40, exposure_control=tuning.parameters)
    tuned = simulate(
        bank,
        tuned_config,
        np.random.default_rng(34).standard_normal(check_n),
        np.random.default_rng(35),
    )
    return {
        "tuning_simulees": tune_n,
        "check_simulees": check_n,
        "iterations": tuning.iterations,
        "tuning_seconds": seconds,
        "max_exposure_history": [round(value, 4) for value in tuning.max_exposure_history],
        "free_max_exposure": free.max_exposure,
        "free_mean_length": free.mean_length,
        "free_rmse": float(free.rmse[0]),
        "controlled_max_exposure": tuned.max_exposure,
        "controlled_mean_length": tuned.mean_length,
        "controlled_rmse": float(tuned.rmse[0]),
        "items_over_0.27": int(np.sum(tuned.exposure > 0.27)),
        "length_increase": tuned.mean_length / free.mean_length - 1,
    }


# --------------------------------------------------------------------------- report


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for package in ("numpy", "scipy", "catsim", "adaptivetesting", "girth"):
        try:
            found[package] = version(package)
        except PackageNotFoundError:
            found[package] = "not installed"
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command")
    worker = sub.add_parser("calibration-worker")
    worker.add_argument("--library", required=True)
    worker.add_argument("--persons", type=int, required=True)
    worker.add_argument("--items", type=int, required=True)
    worker.add_argument("--per-person", type=int, required=True)
    worker.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the harness")
    parser.add_argument("--skip-girth", action="store_true")
    parser.add_argument("--skip-national", action="store_true", help="skip 2,000,000 x 400")
    parser.add_argument("--girth-persons", type=int, default=None, help="girth subset size")
    parser.add_argument("--note", default=None, help="a remark printed with the results")
    arguments = parser.parse_args(argv)
    if arguments.command == "calibration-worker":
        print(json.dumps(calibration_worker(arguments)))
        return

    quick = arguments.quick
    note = arguments.note
    report: dict[str, Any] = {
        "command": COMMAND + (" --quick" if quick else ""),
        "versions": versions(),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} CPUs",
        "note": note,
    }
    print("calibration, sparse", flush=True)
    persons = 5000 if quick else 50_000
    sparse = [
        run_calibration(lib, persons, 200, 30, 3600)
        for lib in ("palier", "palier-no-se", "palier-float32-no-se")
    ]
    if not arguments.skip_girth:
        sparse.append(run_calibration("girth", arguments.girth_persons or persons, 200, 30, 3600))
    report["calibration_sparse"] = sparse
    print("calibration, complete", flush=True)
    report["calibration_complete"] = [
        run_calibration("palier-no-se", 2000 if quick else 50_000, 200, 200, 3600)
    ]
    report["mirt"] = mirt_status()
    if not arguments.skip_national and not quick:
        print("calibration, national scale", flush=True)
        report["calibration_national"] = [
            run_calibration(lib, 2_000_000, 400, 30, 3600)
            for lib in ("palier-no-se", "palier-float32-no-se")
        ]

    print("adaptive step", flush=True)
    a, b = make_items(500, seed=41)
    histories = step_histories(a, b, 30 if quick else 200, seed=42)
    steps = {"histories": len(histories)}
    steps["palier_500_seconds"] = time_steps(palier_step_factory(a, b), histories, 5)
    steps["catsim_500_seconds"] = time_steps(catsim_step_factory(a, b), histories, 2)
    steps["adaptivetesting_500_seconds"] = time_steps(
        adaptivetesting_step_factory(a, b), histories[: 10 if quick else 50], 1
    )
    big_a, big_b = make_items(5000, seed=43)
    steps["palier_5000_seconds"] = time_steps(
        palier_step_factory(big_a, big_b),
        step_histories(big_a, big_b, 30 if quick else 200, seed=44),
        5,
    )
    report["adaptive_step"] = steps
    print(f"  {steps}", flush=True)

    print("whole tests, same rules", flush=True)
    thetas = np.random.default_rng(45).standard_normal(1000)
    cats = {
        "palier": run_cat(palier_step_factory(a, b), a, b, thetas[: 200 if quick else 1000], 46),
        "catsim": run_cat(catsim_step_factory(a, b), a, b, thetas[: 100 if quick else 500], 46),
        "adaptivetesting": run_cat(
            adaptivetesting_step_factory(a, b), a, b, thetas[: 10 if quick else 60], 46
        ),
    }
    report["whole_tests"] = cats
    print(f"  {cats}", flush=True)
    print("efficiency", flush=True)
    report["efficiency"] = efficiency(quick)
    print(f"  {report['efficiency']}", flush=True)
    print("multidimensional gain", flush=True)
    report["multidimensional"] = multidimensional_gain(quick)
    print(f"  {report['multidimensional']}", flush=True)
    print("exposure", flush=True)
    report["exposure"] = exposure(quick)
    print(f"  {report['exposure']}", flush=True)

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=float) + "\n")
    from benchmarks.report import write_markdown

    write_markdown(report, PERFORMANCE, BEGIN, END)
    print(f"wrote {RESULTS.relative_to(ROOT)} and {PERFORMANCE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
