"""Any steering table as a spreadsheet: CSV or XLSX, the same rows as on the page.

A hidden figure is written as an empty cell, never its value: the last column ("Note") of
its row says which figures are hidden and why (a cell with no figure at all is empty too,
without a note). Numbers are written as numbers (decimals with
the reader's decimal mark in CSV, so that French spreadsheets read them as numbers); text
cells that a spreadsheet would run as formulas are neutralised in CSV and written as text in
XLSX. The XLSX has a second sheet with the table's title, the filters it was computed with,
its notes and the privacy rule.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import IO

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from palier.core.csv import default_delimiter, iter_csv
from palier.core.xlsx import text_cell, value_cell
from palier.steering.privacy import MIN_LEARNERS, hidden_rule
from palier.steering.tables import Row, Table

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The XLSX is built in memory up to this size, then in a temporary file.
XLSX_MEMORY_BYTES = 8 * 1024 * 1024
# Figures are written with at most this many decimals (rates, means, hours).
DECIMALS = 2
# Excel's limit on a sheet's name.
SHEET_NAME_LENGTH = 31


def export_header(table: Table) -> list[str]:
    return [table.label_header, *table.columns, _("Note")]


def _rows(table: Table) -> Iterator[Row]:
    yield from table.rows
    if table.total is not None:
        yield table.total


def _note(table: Table, row: Row) -> str:
    hidden = [column for column, cell in zip(table.columns, row.cells, strict=True) if cell.hidden]
    if not hidden:
        return ""
    return _(
        "%(columns)s : masqué (moins de %(threshold)s apprenants ou calcul par différence)"
    ) % {
        "columns": ", ".join(hidden),
        "threshold": MIN_LEARNERS,
    }


def _figure(value: float | int | Decimal | None) -> float | int | None:
    """A figure as written: integers as integers, other numbers rounded."""
    if value is None or isinstance(value, int):
        return value
    rounded = round(float(value), DECIMALS)
    return int(rounded) if rounded.is_integer() else rounded


def export_rows(table: Table) -> Iterator[list[object]]:
    """Label, one figure per column (None when hidden), note; the total row last."""
    for row in _rows(table):
        yield [row.label, *(_figure(cell.value) for cell in row.cells), _note(table, row)]


def csv_chunks(table: Table, *, delimiter: str | None = None) -> Iterator[str]:
    """The table as CSV text chunks: UTF-8 with a byte-order mark, formulas neutralised;
    the separator and decimal mark are the reader's language's unless given."""
    delimiter = delimiter or default_delimiter()
    # A French spreadsheet (";") reads "12,5" as a number and "12.5" as a text or a date.
    localise = delimiter == ";"

    def as_text(value: object) -> object:
        if value is None:
            return ""
        if isinstance(value, float):
            return number_format(value, use_l10n=localise) if localise else repr(value)
        return value

    rows = ([as_text(value) for value in row] for row in export_rows(table))
    yield from iter_csv(export_header(table), rows, delimiter=delimiter, bom=True, neutralise=True)


def xlsx_file(table: Table, description: Sequence[str] = ()) -> IO[bytes]:
    """The table as an XLSX workbook in a temporary file, rewound (the caller closes it).
    `description` lines (e.g. the filters) go on the notes sheet. Every text is written as
    a text cell, never a formula, whatever it starts with."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=table.code[:SHEET_NAME_LENGTH])
    sheet.append([text_cell(sheet, title) for title in export_header(table)])
    for row in export_rows(table):
        sheet.append([value_cell(sheet, value) for value in row])
    notes = workbook.create_sheet(title=_("Notes")[:SHEET_NAME_LENGTH])
    for line in (table.title, *description, *table.notes, hidden_rule()):
        notes.append([text_cell(notes, str(line))])
    spooled = tempfile.SpooledTemporaryFile(max_size=XLSX_MEMORY_BYTES)  # noqa: SIM115
    workbook.save(spooled)
    spooled.seek(0)
    return spooled  # type: ignore[return-value]
