"""The one CSV writer and reader of Palier (exports for spreadsheets, imports from them).

UTF-8 with a byte-order mark by default so that spreadsheet programs detect the encoding;
`;` is the separator French spreadsheets expect, `,` the international one.

Files people send come from spreadsheets: UTF-8 (with or without a byte-order mark) or, from
Excel's plain "CSV" on a French Windows, Windows-1252. `decode_csv` accepts those two and
refuses the rest (UTF-16, binary files) rather than guessing.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from django.utils.translation import get_language

BOM = "\ufeff"
DELIMITERS = (",", ";")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection");
# the fullwidth forms are folded to the ASCII ones by some spreadsheet programs.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters that never occur in a text CSV (tab, line feed and carriage return do).
BINARY_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Streamed CSV is yielded in pieces of this many lines (one small string per line is slow).
LINES_PER_CHUNK = 200


class CsvRowError(ValueError):
    """A record the csv module cannot read (a cell over its field size limit, a stray
    quote in strict mode); `row` counts records as a spreadsheet numbers its rows."""

    def __init__(self, row: int, reason: str) -> None:
        super().__init__(f"row {row}: {reason}")
        self.row = row
        self.reason = reason


class CsvDecodeError(ValueError):
    """Bytes that are not a CSV text in an accepted encoding. `reason` is "utf16",
    "binary" or "encoding", for callers to word the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def default_delimiter() -> str:
    """`;` for a French reader (French spreadsheets read `,` as the decimal mark), `,` for
    any other language."""
    return ";" if (get_language() or "fr").startswith("fr") else ","


def neutralise_formula(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula, prefixed with an apostrophe so
    it shows as text; numbers and other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


class _Line:
    """A file-like object whose write returns the text, so csv.writer yields lines."""

    def write(self, text: str) -> str:
        return text


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    bom: bool = True,
    neutralise: bool = True,
) -> Iterator[str]:
    """The CSV text in chunks, for streaming responses. Text cells that would run as
    formulas are neutralised unless `neutralise` is false."""
    if delimiter not in DELIMITERS:
        raise ValueError(f"delimiter must be one of {DELIMITERS}")
    writer = csv.writer(_Line(), delimiter=delimiter, lineterminator="\r\n")
    yield (BOM if bom else "") + writer.writerow(header)
    chunk: list[str] = []
    for row in rows:
        chunk.append(writer.writerow([neutralise_formula(v) for v in row] if neutralise else row))
        if len(chunk) >= LINES_PER_CHUNK:
            yield "".join(chunk)
            chunk = []
    if chunk:
        yield "".join(chunk)


def write_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    delimiter: str = ",",
    bom: bool = True,
    neutralise: bool = False,
) -> str:
    """The whole CSV text. Off by default here, unlike `iter_csv`: the item bank's CSV makes
    a round trip through its authors' spreadsheets, and a stem starting with "-" must come
    back unchanged. Exports read by others pass `neutralise=True`."""
    return "".join(iter_csv(header, rows, delimiter=delimiter, bom=bom, neutralise=neutralise))


def sniff_delimiter(first_line: str) -> str:
    """`;` when the header line has more semicolons than commas, else `,`."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def decode_csv(data: bytes) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read in ("utf-8" or "windows-1252").

    Valid UTF-8 is read as UTF-8 (a Windows-1252 text with accents is practically never
    valid UTF-8); otherwise Windows-1252, whose five undefined bytes and the absence of
    control characters rule out most binary files. UTF-16 (Excel's "Unicode text") and
    anything with NUL or control characters are refused: raises CsvDecodeError."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise CsvDecodeError("utf16")
    if b"\x00" in data:
        raise CsvDecodeError("binary")
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = data.decode("cp1252"), "windows-1252"
        except UnicodeDecodeError as error:
            raise CsvDecodeError("encoding") from error
    if BINARY_CHARACTERS.search(text):
        raise CsvDecodeError("binary")
    return text, encoding


def read_csv(text: str) -> list[dict[str, str]]:
    """Rows as dicts keyed by the header; the separator (`,` or `;`) is detected.

    Raises CsvRowError for a record the csv module refuses, e.g. a cell longer than
    `csv.field_size_limit()` characters."""
    text = text.removeprefix(BOM)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows: list[dict[str, str]] = []
    row = 1  # the header
    try:
        _header = reader.fieldnames  # read first, so that an error in it is row 1
        row = 2
        for record in reader:
            rows.append(record)
            row += 1
    except csv.Error as error:
        raise CsvRowError(row, _csv_reason(error)) from error
    return rows


def _csv_reason(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return f"a cell is longer than {csv.field_size_limit()} characters"
    return f"unreadable CSV ({error})"
