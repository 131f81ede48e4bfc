"""`palier steering_refresh [--year 2025 ...]`: rebuild the steering summary tables now
(the nightly task does the same; without --year, every year up to the current one)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from palier.steering.aggregates import refresh


class Command(BaseCommand):
    help = "Rebuild the national steering summary tables (counts only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="academic year by its first year (e.g. 2025 for 2025-2026); repeatable",
        )

    def handle(self, *args: object, **options: object) -> None:
        report = refresh(options["years"])
        years = ", ".join(str(year) for year in report.years)
        self.stdout.write(f"Years {years}: {report.rows} rows in {report.seconds:.1f} s.")
