"""`palier pilot simulate|delete`: a simulated pilot calibration (synthetic data).

    palier pilot simulate [--size small|demo] [--learners N] [--seed S] [--areas D1,D2]
                          [--activate]
    palier pilot delete [--force]

`simulate` does nothing when the current framework version already has a pilot (the
database persists between `make run`s): delete it first to simulate again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.frameworks.queries import current_framework
from palier.psychometrics.models import Pilot
from palier.psychometrics.pilot import (
    SIZES,
    PilotError,
    activate_pilot,
    blocking_reasons,
    delete_pilot,
    run_pilot,
    simulate_pilot,
)

DEFAULT_SEED = 20261207


class Command(BaseCommand):
    help = "Simulate a pilot calibration on synthetic learners, or delete it."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        simulate = actions.add_parser("simulate", help="simulate a pilot and calibrate the bank")
        simulate.add_argument(
            "--size",
            choices=sorted(SIZES),
            default="small",
            help=", ".join(f"{name}: {count} learners" for name, count in SIZES.items()),
        )
        simulate.add_argument("--learners", type=int, help="number of learners (overrides --size)")
        simulate.add_argument("--seed", type=int, default=DEFAULT_SEED)
        simulate.add_argument("--areas", help="comma-separated area codes (default: all)")
        simulate.add_argument(
            "--activate",
            action="store_true",
            help="activate the pilot calibration if nothing blocks it",
        )
        delete = actions.add_parser("delete", help="delete the pilot and its synthetic data")
        delete.add_argument(
            "--force",
            action="store_true",
            help="if the pilot calibration is active, switch back to the provisional one first",
        )

    def handle(self, *args: object, **options: Any) -> None:
        framework = current_framework()
        if framework is None:
            raise CommandError("No published framework: run `palier seed` first.")
        existing = Pilot.objects.filter(framework=framework).first()
        if options["action"] == "delete":
            self._delete(existing, force=options["force"])
            return
        if existing is not None:
            self.stdout.write(
                f"Simulated pilot {existing.pk} already exists ({existing.learners} synthetic "
                "learners): nothing done. `palier pilot delete` removes it."
            )
            return
        learners = options["learners"] or SIZES[options["size"]]
        areas = [code.strip() for code in (options["areas"] or "").split(",") if code.strip()]
        started = time.perf_counter()
        try:
            pilot = simulate_pilot(framework, learners, options["seed"], areas=areas or None)
        except PilotError as error:
            raise CommandError(str(error)) from error
        simulated = time.perf_counter() - started
        self.stdout.write(
            f"Simulated pilot {pilot.pk}: {learners} synthetic learners (inactive accounts "
            f"@simulation.invalid) took the test in {simulated:.1f} s."
        )
        run = run_pilot(pilot)
        self.stdout.write(
            f"Calibration run {run.pk} on synthetic data: {run.status} "
            f"({time.perf_counter() - started - simulated:.1f} s)."
        )
        pilot.refresh_from_db()
        for line in recovery_lines(pilot.recovery, per_area=options["verbosity"] >= 2):
            self.stdout.write(line)
        reasons = blocking_reasons(run)
        if options["activate"]:
            if reasons:
                raise CommandError("Not activated: " + "; ".join(reasons))
            activate_pilot(pilot)
            self.stdout.write(
                self.style.SUCCESS(
                    f"Activated {run.draft.name!r}: the bank now uses the pilot calibration "
                    "(synthetic data, not answers of real people)."
                )
            )
        elif reasons:
            self.stdout.write("The draft cannot be activated: " + "; ".join(reasons))

    def _delete(self, pilot: Pilot | None, *, force: bool) -> None:
        if pilot is None:
            self.stdout.write("No simulated pilot to delete.")
            return
        try:
            deleted = delete_pilot(pilot, force=force)
        except PilotError as error:
            raise CommandError(str(error)) from error
        draft = (
            "its draft calibration deleted"
            if deleted.calibration_deleted
            else f"its calibration kept, inactive ({deleted.calibration_kept})"
            if deleted.calibration_kept
            else "no draft calibration"
        )
        self.stdout.write(
            f"Deleted the simulated pilot: {deleted.users} synthetic learners, "
            f"{deleted.attempts} attempts, {draft}."
        )


def recovery_lines(recovery: dict[str, Any] | None, *, per_area: bool = False) -> list[str]:
    """Parameter recovery in a few lines (truth put on the draft's scale, see pilot.py),
    and one line per area with `per_area`."""
    if not recovery or "a" not in recovery:
        return ["Parameter recovery: no item estimated."]
    lines = [
        f"Parameter recovery on {recovery['items']} estimated items (truth on the draft's scale):",
    ]
    for name in ("a", "b"):
        figures = recovery[name]
        lines.append(
            f"  {name}: RMSE {figures['rmse']:.3f}, mean |bias| {figures['mean_abs_bias']:.3f}, "
            f"correlation {figures['correlation']:.3f}"
        )
    for code, entry in recovery["areas"].items() if per_area else ():
        link = entry.get("truth_to_draft")
        if link:
            lines.append(
                f"  {code}: {entry['items']} items, b RMSE {entry['b']['rmse']:.3f}, "
                f"a RMSE {entry['a']['rmse']:.3f}; truth to draft scale: "
                f"slope {link['slope']:.3f}, intercept {link['intercept']:+.3f}"
            )
    return lines
