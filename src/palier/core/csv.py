"""The one CSV writer and reader of Palier (exports for spreadsheets, imports from them).

UTF-8 with a byte-order mark by default so that spreadsheet programs detect the encoding;
`;` is the separator French spreadsheets expect, `,` the international one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

BOM = "\ufeff"
DELIMITERS = (",", ";")


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    bom: bool = True,
) -> str:
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return (BOM if bom else "") + buffer.getvalue()


def read_csv(text: str) -> list[dict[str, str]]:
    """Rows as dicts keyed by the header; the separator (`,` or `;`) is detected."""
    text = text.removeprefix(BOM)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
