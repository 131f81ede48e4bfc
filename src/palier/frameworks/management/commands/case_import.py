"""`palier case_import PACKAGE.json --code CODE [--framework-version V] [--dry-run]`: read an IMS
CASE 1.0 package and add it as a new draft framework version (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.core.errors import ServiceError
from palier.frameworks.case_import import MAX_PACKAGE_BYTES, CaseFramework, read_case_package
from palier.frameworks.services import import_case_framework


class Command(BaseCommand):
    help = "Import an IMS CASE 1.0 package (JSON) as a new draft framework version."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("package", type=Path, help="the CASE package (JSON)")
        parser.add_argument("--code", required=True, help="framework code (e.g. numerique-sante)")
        parser.add_argument(
            "--framework-version", dest="framework_version", help="version (default: the package's)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report; write nothing"
        )

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["package"]  # type: ignore[assignment]
        try:
            with path.open("rb") as package:
                data = package.read(MAX_PACKAGE_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from error
        try:
            case = read_case_package(data)
            version = str(options["framework_version"] or case.version)
            if not version:
                raise CommandError("The package has no version: give one with --framework-version.")
            self.stdout.write(summary(case))
            if options["dry_run"]:
                self.stdout.write("Dry run: nothing was written.")
                return
            framework = import_case_framework(case, str(options["code"]), version)
        except ServiceError as error:
            details = "\n".join(f"  - {line}" for line in error.fields.get("file", []))
            raise CommandError(f"{error.message}\n{details}".rstrip()) from error
        self.stdout.write(f"Imported as {framework.code} {framework.version} (draft).")


def summary(case: CaseFramework) -> str:
    lines = [
        f"{case.title}: {case.count('area')} areas, {case.count('competence')} competences, "
        f"{case.count('capacity')} capacities.",
    ]
    if case.generated_codes:
        lines.append(f"{case.generated_codes} codes made from positions (none or not usable).")
    if case.other_associations:
        lines.append(f"{case.other_associations} associations other than isChildOf left out.")
    if case.language and not case.language.startswith("fr"):
        lines.append(
            f"Texts are in '{case.language}', stored as the French texts: translate them "
            "before publishing."
        )
    lines.append("Levels, cut scores and target profiles are not in CASE: add them to the draft.")
    return "\n".join(lines)
