"""CSV import/export of items: one row per item, for authors who work in spreadsheets.

The answer definition travels as JSON in one column (formats differ too much for fixed
columns); stimuli are referenced by code and must already exist in the bank.
"""

from __future__ import annotations

import json
import re
from typing import Any

from palier.core.csv import CsvRowError, read_csv, write_csv
from palier.core.uploads import UploadLimitError, load_json
from palier.items.models import StimulusVersion

COLUMNS = (
    "code",
    "capacity",
    "level",
    "format",
    "stimulus",
    "stem_fr",
    "stem_en",
    "definition",
    "feedback_fr",
    "feedback_en",
    "source",
    "estimated_seconds",
    "screen_reader",
    "colour_independent",
)
TRUE_VALUES = {"1", "true", "oui", "yes", "vrai"}
FALSE_VALUES = {"0", "false", "non", "no", "faux", ""}
MAX_ROWS = 5_000


class CsvImportError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def export_csv(document: dict[str, Any], *, delimiter: str = ",") -> str:
    rows = [
        (
            node["code"],
            node["capacity"],
            node["level"],
            node["format"],
            node.get("stimulus") or "",
            node["stem"]["fr"],
            node["stem"].get("en", ""),
            json.dumps(node["definition"], ensure_ascii=False),
            node["feedback"]["fr"],
            node["feedback"].get("en", ""),
            node["source"],
            node["estimated_seconds"],
            int(node["accessibility"]["screen_reader"]),
            int(node["accessibility"]["colour_independent"]),
        )
        for node in document["items"]
    ]
    return write_csv(COLUMNS, rows, delimiter=delimiter)


def _flag(value: str, row: int, column: str, errors: list[str]) -> bool:
    lowered = (value or "").strip().lower()
    if lowered in TRUE_VALUES:
        return True
    if lowered not in FALSE_VALUES:
        errors.append(f"row {row}: {column} must be 1/0 (or oui/non)")
    return False


def document_from_csv(text: str) -> dict[str, Any]:
    """Turn CSV text into a bank document; raise CsvImportError listing errors by row."""
    try:
        rows = read_csv(text)
    except CsvRowError as error:
        raise CsvImportError([str(error)]) from error
    errors: list[str] = []
    if not rows:
        raise CsvImportError(["the file has no item rows"])
    missing = [column for column in COLUMNS if column not in rows[0]]
    if missing:
        raise CsvImportError([f"missing columns: {', '.join(missing)}"])
    if len(rows) > MAX_ROWS:
        raise CsvImportError([f"at most {MAX_ROWS} rows per file"])
    items = []
    for number, row in enumerate(rows, start=2):
        try:
            definition = load_json(row["definition"] or "null")
        except json.JSONDecodeError:
            errors.append(f"row {number}: definition is not valid JSON")
            definition = None
        except UploadLimitError as error:
            errors.append(f"row {number}: definition {error}")
            definition = None
        level = row["level"].strip()
        seconds = row["estimated_seconds"].strip()
        items.append(
            {
                "code": row["code"].strip(),
                "capacity": row["capacity"].strip(),
                "level": int(level) if level.isdigit() else level,
                "format": row["format"].strip(),
                "stimulus": row["stimulus"].strip() or None,
                "stem": {"fr": row["stem_fr"], "en": row["stem_en"]},
                "definition": definition,
                "feedback": {"fr": row["feedback_fr"], "en": row["feedback_en"]},
                "source": row["source"],
                "estimated_seconds": int(seconds) if seconds.isdigit() else seconds,
                "accessibility": {
                    "screen_reader": _flag(row["screen_reader"], number, "screen_reader", errors),
                    "colour_independent": _flag(
                        row["colour_independent"], number, "colour_independent", errors
                    ),
                },
            }
        )
    if errors:
        raise CsvImportError(errors)
    codes = {node["stimulus"] for node in items if node["stimulus"]}
    # Referenced stimuli travel with their latest texts, so the import leaves them as they are.
    latest: dict[str, StimulusVersion] = {}
    for version in (
        StimulusVersion.objects.filter(stimulus__code__in=codes)
        .select_related("stimulus")
        .order_by("number")
    ):
        latest[version.stimulus.code] = version
    stimuli = [
        {
            "code": code,
            "kind": version.stimulus.kind,
            "title": {"fr": version.title_fr, "en": version.title_en},
            "content": {"fr": version.content_fr, "en": version.content_en},
        }
        for code, version in sorted(latest.items())
    ]
    return {"stimuli": stimuli, "items": items}


ROW_REFERENCE = re.compile(r"^items\[(\d+)\]")


def as_row_errors(errors: list[str]) -> list[str]:
    """Document error messages ("items[3] (X): ...") rewritten as CSV rows ("row 5 (X): ...")."""
    return [ROW_REFERENCE.sub(lambda m: f"row {int(m.group(1)) + 2}", error) for error in errors]
