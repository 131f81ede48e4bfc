"""`palier seed [--demo]`: load the framework (and, with --demo, demo accounts), idempotently."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from palier.frameworks.seed import SeedError, load_framework_seed


class Command(BaseCommand):
    help = "Load the competence framework and, with --demo, the demo accounts (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also create demo accounts with a published password (refused unless "
            "PALIER_DEBUG=1 or --allow-demo-in-production).",
        )
        parser.add_argument(
            "--allow-demo-in-production",
            action="store_true",
            help="Create demo accounts even with PALIER_DEBUG off.",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["demo"] and not (settings.DEBUG or options["allow_demo_in_production"]):
            raise CommandError(
                "Demo accounts have a published password: they are only created with "
                "PALIER_DEBUG=1 (or --allow-demo-in-production)."
            )
        try:
            report = load_framework_seed()
        except SeedError as error:
            raise CommandError(str(error)) from error
        state = (
            "created" if report.created else ("frozen, left as is" if report.frozen else "updated")
        )
        self.stdout.write(
            f"Framework {report.framework.code} {report.framework.version} ({state}): "
            f"{report.areas} areas, {report.competences} competences, "
            f"{report.capacities} capacities, {report.populations} populations."
        )
        if options["demo"]:
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for result in load_demo_accounts():
                flag = "created" if result.created else "reused"
                self.stdout.write(f"  {result.email:<40} {', '.join(result.roles):<30} {flag}")
