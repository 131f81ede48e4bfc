"""`palier items import FILE | export | check`: the item bank from the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.frameworks.models import Capacity
from palier.frameworks.queries import current_framework
from palier.items.bank_io import export_document
from palier.items.content_check import check_document
from palier.items.models import Item
from palier.items.transfer import KINDS, export_response, read_and_import


def kind_of(path: Path, given: str | None) -> str:
    if given:
        return given
    return {".csv": "csv", ".zip": "qti"}.get(path.suffix.lower(), "json")


class Command(BaseCommand):
    help = "Import, export and check the item bank."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help="import items (JSON, CSV or QTI zip)")
        importer.add_argument("file", type=Path)
        importer.add_argument("--format", choices=KINDS, help="default: from the file name")
        importer.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        importer.add_argument(
            "--strict",
            action="store_true",
            help="QTI: refuse the whole package when one item cannot be imported",
        )
        importer.add_argument("--capacity", help="QTI: capacity of items without Palier metadata")
        importer.add_argument(
            "--level", type=int, choices=range(1, 6), help="QTI: their intended level"
        )
        importer.add_argument("--source", help="QTI: their source reference")
        exporter = sub.add_parser("export", help="export items")
        exporter.add_argument("--format", choices=KINDS, default="json")
        exporter.add_argument("--status", choices=Item.Status.values)
        exporter.add_argument(
            "--language", choices=("fr", "en"), default="fr", help="language of a QTI package"
        )
        exporter.add_argument("--output", type=Path, help="file to write (default: stdout)")
        checker = sub.add_parser("check", help="coverage and lint of the operational bank")
        checker.add_argument("--all", action="store_true", help="check every item, any status")

    def handle(self, *args: object, **options: object) -> None:
        action = options["action"]
        if action == "import":
            defaults = {
                key: options[key]
                for key in ("capacity", "level", "source")
                if options[key] is not None
            }
            self._import(
                options["file"], options["format"], options["dry_run"], options["strict"], defaults
            )
        elif action == "export":
            self._export(options)
        else:
            self._check(options["all"])

    def _import(
        self, path: Path, given: str | None, dry_run: bool, strict: bool, defaults: dict
    ) -> None:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        report = read_and_import(
            data, kind_of(path, given), None, dry_run=dry_run, strict=strict, defaults=defaults
        )
        for code, reasons in report.drafts.items():
            self.stdout.write(f"draft {code}: {'; '.join(reasons)}")
        for reason in report.skipped:
            self.stdout.write(f"skipped: {reason}")
        for note in report.notes:
            self.stdout.write(f"note: {note}")
        for error in report.errors:
            self.stderr.write(f"  {error}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} errors: nothing was imported.")
        self.stdout.write(report.summary())

    def _export(self, options: dict) -> None:
        items = Item.objects.select_related("capacity").order_by("code")
        if options["status"]:
            items = items.filter(status=options["status"])
        content = export_response(list(items), options["format"], options["language"]).content
        if options["output"]:
            options["output"].write_bytes(content)
            self.stdout.write(f"{items.count()} items written to {options['output']}")
        else:
            sys.stdout.buffer.write(content)

    def _check(self, every_status: bool) -> None:
        framework = current_framework()
        if framework is None:
            raise CommandError("No published framework: run `palier seed` first.")
        items = Item.objects.select_related("capacity").order_by("code")
        if not every_status:
            items = items.filter(status=Item.Status.OPERATIONAL)
        report = check_document(export_document(list(items)), capacities_by_area(framework))
        self.stdout.write(json.dumps(report.coverage, ensure_ascii=False, indent=1))
        for warning in report.warnings:
            self.stdout.write(f"warning: {warning}")
        for error in report.errors:
            self.stderr.write(f"error: {error}")
        if not report.ok:
            raise CommandError(f"{len(report.errors)} content errors.")
        self.stdout.write(self.style.SUCCESS("Content check passed."))


def capacities_by_area(framework) -> dict[str, list[str]]:
    areas: dict[str, list[str]] = {}
    for code, area in (
        Capacity.objects.filter(competence__area__framework=framework)
        .values_list("code", "competence__area__code")
        .order_by("code")
    ):
        areas.setdefault(area, []).append(code)
    return areas
