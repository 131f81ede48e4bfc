"""`palier demo_steering`: demo activity for the national dashboard (PALIER_DEBUG=1 only;
after `palier seed --demo`, then `palier steering_refresh`). See steering/demo_activity.py."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.steering.demo_activity import load_demo_activity


class Command(BaseCommand):
    help = "Create demo institutions and their learners' activity for the national dashboard."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Multiply every demo size (default 1).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data needs PALIER_DEBUG=1 (development and demos only).")
        scale = float(options["scale"])  # type: ignore[arg-type]
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        started = time.monotonic()
        done = load_demo_activity(scale=scale)
        self.stdout.write(
            f"Demo activity (demo data): {done.institutions} institutions; added "
            f"{done.campaigns} campaigns, {done.learners} learners, {done.attempts} tests, "
            f"{done.plan_entries} completed modules, {done.feedback} opinions "
            f"in {time.monotonic() - started:.1f} s."
        )
