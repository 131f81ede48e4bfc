"""Cells of the XLSX workbooks Palier writes (openpyxl, write-only mode)."""

from __future__ import annotations

from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def text_cell(sheet: object, value: str) -> WriteOnlyCell:
    """A cell that stays text whatever it starts with: a value starting with "=" is never
    stored as a formula. Characters XLSX cannot hold are dropped."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def value_cell(sheet: object, value: object) -> object:
    """Numbers as numbers, nothing as an empty cell, anything else (a label may be a lazy
    translation) as a text cell."""
    if value is None or isinstance(value, int | float | Decimal):
        return value
    return text_cell(sheet, str(value))
