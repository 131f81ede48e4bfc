"""Files in and out of the item bank: JSON, CSV or QTI, chosen by name (shared by the API
and the `palier items` command)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

from palier.core.uploads import UploadLimitError, load_json
from palier.frameworks.queries import current_framework
from palier.items.bank_io import ImportReport, export_document, import_document
from palier.items.csv_io import CsvImportError, as_row_errors, document_from_csv, export_csv
from palier.items.models import Item
from palier.items.qti import export_package
from palier.items.qti.bank import import_qti

KINDS = ("json", "csv", "qti")
# The largest file the API and the authoring site's import page accept.
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def read_and_import(
    data: bytes,
    kind: str,
    user: Any,
    *,
    dry_run: bool,
    strict: bool = False,
    defaults: dict[str, Any] | None = None,
) -> ImportReport:
    """Parse a file of `kind` and import it (shared by the API, the authoring site and
    `palier items import`). For a QTI package, `strict` refuses the whole package when one
    item cannot be imported, and `defaults` (capacity, level, source) classify the items
    made by other tools."""
    framework = current_framework()
    if framework is None:
        return ImportReport(errors=["no published framework"], dry_run=dry_run)
    if kind == "qti":
        return import_qti(data, framework, user, dry_run=dry_run, strict=strict, defaults=defaults)
    try:
        if kind == "csv":
            document = document_from_csv(data.decode("utf-8-sig"))
        else:
            document = load_json(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, UploadLimitError) as error:
        return ImportReport(errors=[str(error)], dry_run=dry_run)
    except CsvImportError as error:
        return ImportReport(errors=error.errors, dry_run=dry_run)
    report = import_document(document, framework, user, dry_run=dry_run)
    if kind == "csv":
        report.errors = as_row_errors(report.errors)
    return report


def export_response(items: list[Item], kind: str, language: str = "fr") -> HttpResponse:
    document = export_document(items)
    if kind == "csv":
        response = HttpResponse(export_csv(document), content_type="text/csv; charset=utf-8")
        name = "palier-items.csv"
    elif kind == "qti":
        response = HttpResponse(export_package(document, language), content_type="application/zip")
        name = f"palier-items-qti3-{language}.zip"
    else:
        response = HttpResponse(
            json.dumps(document, ensure_ascii=False, indent=2),
            content_type="application/json; charset=utf-8",
        )
        name = "palier-items.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
