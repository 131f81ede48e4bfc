"""Reading and checking a file of expected learners (CSV): size, encoding, separator,
columns and every cell. `parse_expected` gives the checked rows or raises ImportRefused with
every error found, by row and column; campaigns.imports plans and writes them.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.campaigns.models import GROUP_NAME_MAX_LENGTH, ExpectedLearner
from palier.campaigns.services import CampaignError
from palier.core.csv import CsvDecodeError, decode_csv, sniff_delimiter
from palier.frameworks.models import Population

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
# Past this many errors the report stops listing them (the count is still given).
MAX_LISTED_ERRORS = 200
EMAIL_MAX_LENGTH = 254

# Field -> (header written in the template, accepted headers once folded by `header_key`).
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "last_name": ("nom", frozenset({"nom", "nomdefamille", "lastname"})),
    "first_name": ("prénom", frozenset({"prenom", "firstname"})),
    "email": ("e-mail", frozenset({"email", "courriel", "adresseemail"})),
    "external_id": ("identifiant", frozenset({"identifiant", "identifiantexterne", "externalid"})),
    "population": ("public", frozenset({"public", "population"})),
    "year_of_study": ("année", frozenset({"annee", "anneedetude", "year", "yearofstudy"})),
    "group": ("groupe", frozenset({"groupe", "group", "classe", "promotion"})),
}
REQUIRED_COLUMNS = ("last_name", "first_name", "email")
TEMPLATE_HEADER = tuple(label for label, _aliases in COLUMNS.values())
FIELD_MAX_LENGTHS = {
    name: ExpectedLearner._meta.get_field(name).max_length
    for name in ("last_name", "first_name", "external_id")
} | {"group": GROUP_NAME_MAX_LENGTH}


def header_key(text: str) -> str:
    """A header folded for matching: no accents, case, spaces or punctuation
    ("E-mail" -> "email", "Prénom" -> "prenom", "last_name" -> "lastname")."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    ascii_text = decomposed.encode("ascii", "ignore").decode().casefold()
    return re.sub(r"[^a-z0-9]", "", ascii_text)


class ImportRefused(CampaignError):
    """A file refused, with every error found (`errors`, also under fields["file"])."""

    def __init__(self, errors: list[str]) -> None:
        total = len(errors)
        listed = errors[:MAX_LISTED_ERRORS]
        if total > MAX_LISTED_ERRORS:
            listed.append(
                _("… et %(count)d autres erreurs.") % {"count": total - MAX_LISTED_ERRORS}
            )
        message = ngettext(
            "Le fichier n'a pas été importé : %(count)d erreur. Rien n'a été enregistré.",
            "Le fichier n'a pas été importé : %(count)d erreurs. Rien n'a été enregistré.",
            total,
        ) % {"count": total}
        super().__init__(422, "invalid_file", message, {"file": listed})
        self.errors = listed


@dataclass(frozen=True)
class LearnerRow:
    line: int
    email: str
    values: dict[str, object]


def _too_big() -> ImportRefused:
    return ImportRefused(
        [
            _(
                "Le fichier dépasse %(size)d Mio : découpez-le en plusieurs fichiers "
                "ou retirez les colonnes inutiles."
            )
            % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        ]
    )


def read_limited(upload: IO[bytes]) -> bytes:
    """The file's bytes, refused past MAX_FILE_BYTES (a larger file is never read whole)."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_FILE_BYTES:
        raise _too_big()
    data = upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _too_big()
    return data


def decode_file(data: bytes) -> tuple[str, str]:
    try:
        text, encoding = decode_csv(data)
    except CsvDecodeError as error:
        if error.reason == "encoding":
            message = _(
                "Le fichier n'est ni en UTF-8 ni en Windows-1252. Enregistrez-le depuis "
                "votre tableur au format « CSV UTF-8 »."
            )
        else:
            message = _(
                "Le fichier n'est pas un texte CSV lisible (fichier binaire, ou texte "
                "Unicode UTF-16). Enregistrez-le depuis votre tableur au format « CSV UTF-8 »."
            )
        raise ImportRefused([message]) from error
    if not text.strip():
        raise ImportRefused([_("Le fichier est vide.")])
    return text, encoding


def _count_rows(text: str, delimiter: str) -> None:
    """Refuse a file of more than MAX_ROWS learners before checking any row (a fast pass
    of the C parser that stops at the limit)."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    records = 0
    try:
        for _record in itertools.islice(reader, MAX_ROWS + 2):
            records += 1
    except csv.Error:
        return  # reported with its line by the full pass
    if records > MAX_ROWS + 1:  # the header and MAX_ROWS learners
        raise ImportRefused(
            [
                _(
                    "Le fichier dépasse %(max)s lignes d'apprenants : découpez-le en "
                    "plusieurs imports."
                )
                % {"max": number_format(MAX_ROWS, force_grouping=True)}
            ]
        )


Columns = dict[str, tuple[str, frozenset[str]]]


def match_columns(
    header: list[str],
    columns: Columns,
    required: Iterable[str],
    extra_titles: dict[str, str] | None = None,
) -> dict[str, int]:
    """Field name -> position in the header row, for `columns` (field -> (template title,
    accepted folded titles)); refuses unknown, duplicated and missing `required` columns,
    listing every error. `extra_titles` accepts more titles (title -> field), each unless
    it already names another column."""
    by_key = {alias: name for name, (_label, aliases) in columns.items() for alias in aliases}
    expected = [label for label, _aliases in columns.values()]
    for title, name in (extra_titles or {}).items():
        if header_key(title) and header_key(title) not in by_key:
            by_key[header_key(title)] = name
            expected.append(title.strip())
    positions: dict[str, int] = {}
    errors: list[str] = []
    for position, title in enumerate(header):
        if not title.strip():
            continue  # an empty header cell: spreadsheets add them after the last column
        name = by_key.get(header_key(title))
        if name is None:
            errors.append(
                _("Colonne inconnue : « %(title)s ». Colonnes possibles : %(expected)s.")
                % {"title": title.strip(), "expected": ", ".join(expected)}
            )
        elif name in positions:
            errors.append(_("Colonne en double : « %(title)s ».") % {"title": columns[name][0]})
        else:
            positions[name] = position
    for name in required:
        if name not in positions:
            errors.append(
                _("Colonne obligatoire absente : « %(title)s ».") % {"title": columns[name][0]}
            )
    if errors:
        raise ImportRefused(errors)
    return positions


@dataclass
class CsvRecords:
    """A CSV file's matched columns and its records, read lazily: `records` yields
    (line, {field: stripped cell}) and adds the errors of malformed lines to `errors`."""

    positions: dict[str, int]
    titles: dict[str, str]
    records: Iterator[tuple[int, dict[str, str]]]
    errors: list[str]


def open_records(
    text: str,
    columns: Columns,
    required: Iterable[str],
    *,
    delimiter: str | None = None,
    extra_titles: dict[str, str] | None = None,
) -> CsvRecords:
    """The header of a decoded CSV text matched against `columns` (see `match_columns`),
    and its records. Raises ImportRefused for an unreadable or unmatched header."""
    delimiter = delimiter or sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise ImportRefused([_("En-tête illisible : %(error)s") % {"error": error}]) from error
    positions = match_columns(header, columns, required, extra_titles)
    titles = {name: header[position].strip() for name, position in positions.items()}
    errors: list[str] = []
    return CsvRecords(
        positions, titles, checked_records(reader, len(header), positions, errors), errors
    )


def population_index() -> dict[str, Population]:
    """Populations by folded code, French title and English title."""
    index: dict[str, Population] = {}
    for population in Population.objects.all():
        for text in (population.title_en, population.title_fr, population.code):
            if text:
                index[header_key(text)] = population
    return index


def cell_error(line: int, column: str, problem: str) -> str:
    return _("ligne %(line)d, colonne %(column)s : %(problem)s") % {
        "line": line,
        "column": column,
        "problem": problem,
    }


def checked_records(
    reader: Iterator[list[str]], width: int, positions: dict[str, int], errors: list[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """The records after the header as (line, {field: stripped cell}), numbered as a
    spreadsheet numbers its rows (the header is line 1). Blank records are skipped; a
    malformed record, or one with values beyond the header's `width` columns, adds its
    error to `errors` and is skipped."""
    for line in itertools.count(2):
        try:
            record = next(reader, None)
        except csv.Error as error:
            errors.append(
                _("ligne %(line)d : ligne CSV mal formée (%(error)s)")
                % {"line": line, "error": error}
            )
            continue
        if record is None:
            return
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[width:]):
            errors.append(
                _("ligne %(line)d : %(count)d valeurs pour %(columns)d colonnes")
                % {"line": line, "count": len(record), "columns": width}
            )
            continue
        yield (
            line,
            {
                name: (record[position] if position < len(record) else "").strip()
                for name, position in positions.items()
            },
        )


def parse_expected(
    data: bytes, external_id_label: str = ""
) -> tuple[list[LearnerRow], list[str], str, str]:
    """Rows of a CSV file of expected learners, checked: (rows, fields present, encoding,
    delimiter). `external_id_label` is the campaign's name for the external id, accepted as
    a header. Raises ImportRefused listing every error by row and column."""
    text, encoding = decode_file(data)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    _count_rows(text, delimiter)
    found = open_records(
        text,
        COLUMNS,
        REQUIRED_COLUMNS,
        delimiter=delimiter,
        extra_titles={external_id_label: "external_id"},
    )
    positions, titles, errors = found.positions, found.titles, found.errors
    populations = population_index()
    rows: list[LearnerRow] = []
    first_line_of: dict[str, int] = {}
    for line, raw in found.records:
        values, row_errors = _check_row(line, raw, titles, populations)
        email = str(values["email"])
        if email in first_line_of:
            row_errors.append(
                cell_error(
                    line,
                    titles["email"],
                    _("adresse déjà présente ligne %(line)d") % {"line": first_line_of[email]},
                )
            )
        elif email:
            first_line_of[email] = line
        errors.extend(row_errors)
        if not row_errors:
            rows.append(LearnerRow(line=line, email=email, values=values))
    if errors:
        raise ImportRefused(errors)
    if not rows:
        raise ImportRefused([_("Le fichier ne contient aucun apprenant (seulement l'en-tête).")])
    return rows, list(positions), encoding, delimiter


def _check_row(
    line: int, raw: dict[str, str], titles: dict[str, str], populations: dict[str, Population]
) -> tuple[dict[str, object], list[str]]:
    values: dict[str, object] = {}
    errors: list[str] = []
    for name, max_length in FIELD_MAX_LENGTHS.items():
        if name not in raw:
            continue
        if len(raw[name]) > max_length:
            errors.append(
                cell_error(
                    line, titles[name], _("%(max)d caractères au plus") % {"max": max_length}
                )
            )
        values[name] = raw[name]
    if "group" in values:  # "Promo  2026 " and "Promo 2026" are one group
        values["group"] = " ".join(str(values["group"]).split())
    email = raw["email"].lower()
    if not email:
        errors.append(cell_error(line, titles["email"], _("adresse obligatoire")))
    else:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(
                cell_error(
                    line, titles["email"], _("adresse invalide « %(value)s »") % {"value": email}
                )
            )
            email = ""  # not checked for duplicates
    values["email"] = email
    if "population" in raw:
        text = raw["population"]
        population = populations.get(header_key(text)) if text else None
        if text and population is None:
            errors.append(
                cell_error(
                    line,
                    titles["population"],
                    _("public inconnu « %(value)s » (code ou intitulé du référentiel attendu)")
                    % {"value": text},
                )
            )
        values["population"] = population
    if "year_of_study" in raw:
        text = raw["year_of_study"]
        year = int(text) if text.isascii() and text.isdigit() else None
        if text and (year is None or not 1 <= year <= MAX_YEAR_OF_STUDY):
            errors.append(
                cell_error(
                    line,
                    titles["year_of_study"],
                    _("« %(value)s » n'est pas une année d'études de 1 à %(max)d")
                    % {"value": text, "max": MAX_YEAR_OF_STUDY},
                )
            )
        values["year_of_study"] = year
    return values, errors
