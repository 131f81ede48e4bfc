"""Import of a campaign's expected learners from a spreadsheet (CSV), to follow coverage.

The file is read whole (at most MAX_FILE_BYTES), checked row by row, and either refused with
every error found, by row and column, or imported all at once. A dry run reports what would
be created or updated and writes nothing. A learner already expected with the same e-mail
address is updated, never duplicated; learners missing from the file stay expected.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import IO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.campaigns.models import Campaign, ExpectedLearner
from palier.campaigns.services import CampaignError
from palier.core.csv import CsvDecodeError, decode_csv, sniff_delimiter
from palier.core.db import analyze
from palier.frameworks.models import Population

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
# Past this many errors the report stops listing them (the count is still given).
MAX_LISTED_ERRORS = 200
# Rows shown in a dry run's preview.
PREVIEW_ROWS = 50
WRITE_BATCH = 1000
EMAIL_MAX_LENGTH = 254

# Field -> (header written in the template, accepted headers once folded by `header_key`).
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "last_name": ("nom", frozenset({"nom", "nomdefamille", "lastname"})),
    "first_name": ("prénom", frozenset({"prenom", "firstname"})),
    "email": ("e-mail", frozenset({"email", "courriel", "adresseemail"})),
    "external_id": ("identifiant", frozenset({"identifiant", "identifiantexterne", "externalid"})),
    "population": ("public", frozenset({"public", "population"})),
    "year_of_study": ("année", frozenset({"annee", "anneedetude", "year", "yearofstudy"})),
}
REQUIRED_COLUMNS = ("last_name", "first_name", "email")
TEMPLATE_HEADER = tuple(label for label, _aliases in COLUMNS.values())
FIELD_MAX_LENGTHS = {
    name: ExpectedLearner._meta.get_field(name).max_length
    for name in ("last_name", "first_name", "external_id")
}


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


@dataclass(frozen=True)
class PreviewRow:
    line: int
    action: str  # "create", "update" or "unchanged"
    email: str
    last_name: str
    first_name: str
    external_id: str
    population: str
    year_of_study: int | None


@dataclass
class ImportReport:
    dry_run: bool
    encoding: str
    delimiter: str
    columns: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


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


def _decode(data: bytes) -> tuple[str, str]:
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


def _columns(header: list[str]) -> dict[str, int]:
    """Field name -> position in the row; refuses unknown, duplicated and missing columns."""
    positions: dict[str, int] = {}
    errors: list[str] = []
    by_key = {alias: name for name, (_label, aliases) in COLUMNS.items() for alias in aliases}
    for position, title in enumerate(header):
        if not title.strip():
            continue  # an empty header cell: spreadsheets add them after the last column
        name = by_key.get(header_key(title))
        if name is None:
            errors.append(
                _("Colonne inconnue : « %(title)s ». Colonnes possibles : %(expected)s.")
                % {"title": title.strip(), "expected": ", ".join(TEMPLATE_HEADER)}
            )
        elif name in positions:
            errors.append(_("Colonne en double : « %(title)s ».") % {"title": COLUMNS[name][0]})
        else:
            positions[name] = position
    for name in REQUIRED_COLUMNS:
        if name not in positions:
            errors.append(
                _("Colonne obligatoire absente : « %(title)s ».") % {"title": COLUMNS[name][0]}
            )
    if errors:
        raise ImportRefused(errors)
    return positions


def _population_index() -> dict[str, Population]:
    """Populations by folded code, French title and English title."""
    index: dict[str, Population] = {}
    for population in Population.objects.all():
        for text in (population.title_en, population.title_fr, population.code):
            if text:
                index[header_key(text)] = population
    return index


def _cell_error(line: int, column: str, problem: str) -> str:
    return _("ligne %(line)d, colonne %(column)s : %(problem)s") % {
        "line": line,
        "column": column,
        "problem": problem,
    }


def parse_expected(data: bytes) -> tuple[list[LearnerRow], list[str], str, str]:
    """Rows of a CSV file of expected learners, checked: (rows, fields present, encoding,
    delimiter). Raises ImportRefused listing every error by row and column."""
    text, encoding = _decode(data)
    delimiter = sniff_delimiter(text.split("\n", 1)[0])
    _count_rows(text, delimiter)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
    except csv.Error as error:
        raise ImportRefused([_("En-tête illisible : %(error)s") % {"error": error}]) from error
    positions = _columns(header)
    titles = {name: header[position].strip() for name, position in positions.items()}
    populations = _population_index()
    rows: list[LearnerRow] = []
    errors: list[str] = []
    first_line_of: dict[str, int] = {}
    # Lines count records as a spreadsheet numbers its rows (the header is line 1).
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
            break
        if not any(cell.strip() for cell in record):
            continue
        if any(cell.strip() for cell in record[len(header) :]):
            errors.append(
                _("ligne %(line)d : %(count)d valeurs pour %(columns)d colonnes")
                % {"line": line, "count": len(record), "columns": len(header)}
            )
            continue
        raw = {
            name: (record[position] if position < len(record) else "").strip()
            for name, position in positions.items()
        }
        values, row_errors = _check_row(line, raw, titles, populations)
        email = str(values["email"])
        if email in first_line_of:
            row_errors.append(
                _cell_error(
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
                _cell_error(
                    line, titles[name], _("%(max)d caractères au plus") % {"max": max_length}
                )
            )
        values[name] = raw[name]
    email = raw["email"].lower()
    if not email:
        errors.append(_cell_error(line, titles["email"], _("adresse obligatoire")))
    else:
        try:
            if len(email) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError:
            errors.append(
                _cell_error(
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
                _cell_error(
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
                _cell_error(
                    line,
                    titles["year_of_study"],
                    _("« %(value)s » n'est pas une année d'études de 1 à %(max)d")
                    % {"value": text, "max": MAX_YEAR_OF_STUDY},
                )
            )
        values["year_of_study"] = year
    return values, errors


def _plan(
    campaign: Campaign, rows: list[LearnerRow], fields: list[str]
) -> tuple[list[ExpectedLearner], list[ExpectedLearner], list[tuple[LearnerRow, str]]]:
    """(to create, to update, each row with its action), comparing with the learners
    already expected (matched by e-mail address, whatever its case)."""
    existing = {
        learner.email.lower(): learner
        for learner in ExpectedLearner.objects.filter(campaign=campaign).select_related(
            "population"
        )
    }
    to_create: list[ExpectedLearner] = []
    to_update: list[ExpectedLearner] = []
    actions: list[tuple[LearnerRow, str]] = []
    for row in rows:
        learner = existing.get(row.email)
        if learner is None:
            to_create.append(ExpectedLearner(campaign=campaign, **row.values))
            actions.append((row, "create"))
            continue
        changed = learner.email != row.email
        for name in fields:
            if getattr(learner, name) != row.values[name]:
                changed = True
                setattr(learner, name, row.values[name])
        learner.email = row.email
        if changed:
            to_update.append(learner)
        actions.append((row, "update" if changed else "unchanged"))
    return to_create, to_update, actions


def _preview(actions: list[tuple[LearnerRow, str]]) -> list[PreviewRow]:
    preview = []
    for row, action in actions[:PREVIEW_ROWS]:
        population = row.values.get("population")
        preview.append(
            PreviewRow(
                line=row.line,
                action=action,
                email=row.email,
                last_name=str(row.values.get("last_name", "")),
                first_name=str(row.values.get("first_name", "")),
                external_id=str(row.values.get("external_id", "")),
                population=population.title if isinstance(population, Population) else "",
                year_of_study=row.values.get("year_of_study"),  # type: ignore[arg-type]
            )
        )
    return preview


def import_expected(campaign: Campaign, upload: IO[bytes], *, dry_run: bool) -> ImportReport:
    """Import (or, with `dry_run`, only check) a CSV file of expected learners.

    Columns: nom, prénom, e-mail (required), identifiant, public, année — or their English
    names. A column left out of the file leaves that field of already expected learners
    unchanged. Raises ImportRefused (a CampaignError) listing every error; then nothing is
    written."""
    rows, fields, encoding, delimiter = parse_expected(read_limited(upload))
    fields = [name for name in fields if name != "email"]
    report = ImportReport(
        dry_run=dry_run,
        encoding=encoding,
        delimiter=delimiter,
        columns=[COLUMNS[name][0] for name in ["email", *fields]],
    )
    if dry_run:
        to_create, to_update, actions = _plan(campaign, rows, fields)
    else:
        to_create, to_update, actions = _write(campaign, rows, fields)
        analyze(ExpectedLearner)
    report.created, report.updated = len(to_create), len(to_update)
    report.unchanged = len(actions) - report.created - report.updated
    report.preview = _preview(actions)
    return report


@transaction.atomic
def _write(
    campaign: Campaign, rows: list[LearnerRow], fields: list[str]
) -> tuple[list[ExpectedLearner], list[ExpectedLearner], list[tuple[LearnerRow, str]]]:
    # Lock the campaign so two imports of the same list do not both create a learner.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").first()
    to_create, to_update, actions = _plan(campaign, rows, fields)
    try:
        with transaction.atomic():
            ExpectedLearner.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
            if to_update:
                ExpectedLearner.objects.bulk_update(
                    to_update, ["email", *fields], batch_size=WRITE_BATCH
                )
    except IntegrityError as error:
        raise CampaignError(
            409,
            "import_conflict",
            _("La liste a changé pendant l'import : réessayez."),
        ) from error
    return to_create, to_update, actions
