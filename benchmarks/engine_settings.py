"""Simulation used to choose the default engine settings of the positioning test.

Simulates learners (five correlated area abilities, r = 0.6) taking the test on the seed
bank with its provisional calibration, for several SE targets, and reports test length,
per-area RMSE, mean reported SE and agreement of the level found with the true level.

    PALIER_DEBUG=1 python -m benchmarks.engine_settings [--learners 300]
"""

from __future__ import annotations

import argparse
import os
import tempfile

import numpy as np

CUTS = np.array([-1.5, -0.5, 0.5, 1.5])
CORRELATION = 0.6
CANDIDATES = ((0.5, 40), (0.55, 40), (0.6, 40))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "palier.settings")
        os.environ["PALIER_VAR_DIR"] = folder
        os.environ.setdefault("PALIER_DEBUG", "1")
        import django

        django.setup()
        from django.core.management import call_command

        from palier.assessments.engine_adapter import bank_snapshot
        from palier.engine import CatConfig, simulate
        from palier.items.models import Calibration

        call_command("migrate", verbosity=0)
        call_command("seed", verbosity=0)
        bank = bank_snapshot(Calibration.objects.get(is_active=True)).bank
        correlation = np.full((5, 5), CORRELATION)
        np.fill_diagonal(correlation, 1.0)
        thetas = np.random.default_rng(7).multivariate_normal(
            np.zeros(5), correlation, size=options.learners
        )
        print(
            "| SE target | max items | mean length | RMSE per area | mean SE | "
            "same level | level within one |"
        )
        print("|---|---|---|---|---|---|---|")
        for se_target, max_items in CANDIDATES:
            config = CatConfig(
                se_target=se_target,
                max_items=max_items,
                min_items=10,
                min_items_per_area=2,
                correlation=correlation,
                randomesque=3,
            )
            result = simulate(bank, config, thetas, np.random.default_rng(1))
            rmse = np.sqrt(((result.theta - result.true_theta) ** 2).mean(axis=0))
            true_level = np.searchsorted(CUTS, result.true_theta, side="right")
            found_level = np.searchsorted(CUTS, result.theta, side="right")
            print(
                f"| {se_target} | {max_items} | {result.lengths.mean():.1f} | "
                f"{', '.join(f'{value:.2f}' for value in rmse)} | "
                f"{result.se.mean():.2f} | {(true_level == found_level).mean():.0%} | "
                f"{(abs(true_level - found_level) <= 1).mean():.0%} |"
            )


if __name__ == "__main__":
    main()
