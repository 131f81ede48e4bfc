"""What precision the certified-level targets need: a normal-model computation, no CAT.

For one area with the seed framework's cut scores (-1.5, -0.5, 0.5, 1.5), true abilities
N(0, 1), and a measurement whose posterior SD is ``s`` under the N(0, 1) prior (the estimate is
the posterior mean of ``theta + e``, ``e ~ N(0, s_e^2)`` with ``1 / s^2 = 1 + 1 / s_e^2``), two
independent measurements of each simulee are certified with ``certified_level`` at 0.9. Reported
per ``s``: same certified level in both, within one level, certified above the true level,
certified at the true level. It ignores the correlated prior and the adaptive selection, so it
tells which posterior SD per area a target needs; ``benchmarks/certification.py`` measures the
real test, and its mean posterior SD places it in this table.

    python -m benchmarks.certification_projection [--simulees 200000]
"""

from __future__ import annotations

import argparse

import numpy as np

from palier.engine import level
from palier.engine.score import CERTIFICATION_THRESHOLD

CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
POSTERIOR_SDS = (0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15)
SEED = 75


def certified(theta_hat: np.ndarray, se: float, threshold: float) -> np.ndarray:
    """``certified_level(...).level or 0`` for many estimates with one SE, vectorised: the
    number of cuts whose "at least" probability reaches the threshold (it falls with the
    cut, so those cuts are the lowest ones). Ties at the threshold have probability zero
    here."""
    from scipy.special import ndtr

    return np.sum(ndtr((theta_hat[:, None] - CUTS[None, :]) / se) >= threshold, axis=1)


def projection(simulees: int, threshold: float = CERTIFICATION_THRESHOLD) -> list[dict]:
    rng = np.random.default_rng(SEED)
    theta = rng.standard_normal(simulees)
    true_level = level(theta, CUTS)
    rows = []
    for sd in POSTERIOR_SDS:
        error_sd = 1.0 / np.sqrt(1.0 / sd**2 - 1.0)
        shrink = 1.0 / (1.0 + error_sd**2)
        first, second = (
            certified(shrink * (theta + error_sd * rng.standard_normal(simulees)), sd, threshold)
            for _ in range(2)
        )
        rows.append(
            {
                "posterior_sd": sd,
                "identical": float(np.mean(first == second)),
                "within_one": float(np.mean(np.abs(first - second) <= 1)),
                "above_true": float(np.mean(first > true_level)),
                "at_true": float(np.mean(first == true_level)),
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--simulees", type=int, default=200_000)
    options = parser.parse_args()
    print(
        "| posterior SD per area | same level twice | within one | above the true level "
        "| at the true level |"
    )
    print("|---|---|---|---|---|")
    for row in projection(options.simulees):
        print(
            f"| {row['posterior_sd']:.2f} | {row['identical']:.1%} | {row['within_one']:.1%} "
            f"| {row['above_true']:.1%} | {row['at_true']:.1%} |"
        )


if __name__ == "__main__":
    main()
