"""Reading and checking an institution's file of enrolled learners (CSV); writes nothing.

The file is read and decoded as the campaigns' expected learners' file is (same size limit,
encodings, separators, error wording and header folding, from campaigns.import_checks),
then checked row by row: `plan_import` gives what the import would create, replace or leave
unchanged, or raises ImportRefused with every error by row and column.
denominator_services.write_enrolments writes the plan, all or nothing. A dry run's file is
carried to the confirmation in a signed token (no copy kept on the server), valid
PENDING_IMPORT_MINUTES, and checked again when confirmed.

Columns (headers folded: case, accents and punctuation ignored), all required:
public (population code or title), annee_etudes (1-6), annee (academic year by its first
year, 2025 or "2025-2026"), inscrits (whole number, 0 or more).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.accounts.models import User
from palier.campaigns.import_checks import (
    MAX_FILE_BYTES,
    ImportRefused,
    cell_error,
    decode_file,
    header_key,
    open_records,
    population_index,
    read_limited,
)
from palier.core.errors import ServiceError
from palier.core.signed_files import file_from_token, sign_file
from palier.frameworks.models import Population
from palier.organisations.models import Organisation
from palier.steering.models import Enrolment
from palier.steering.years import FIRST_YEAR, academic_year

__all__ = [
    "COLUMNS",
    "MAX_ENROLMENT_ROWS",
    "MAX_FILE_BYTES",
    "MAX_LEARNERS_PER_CELL",
    "PENDING_IMPORT_MINUTES",
    "TEMPLATE_HEADER",
    "EnrolmentRow",
    "ImportPlan",
    "ImportRefused",
    "accepted_years",
    "data_from_token",
    "pending_token",
    "plan_import",
    "read_limited",
]

# One row per population, year of study and academic year: a large university with twenty
# curricula over six years of study and several academic years stays far below this.
MAX_ENROLMENT_ROWS = 5000
# No institution enrols this many learners in one cell: a larger figure is a typing error.
MAX_LEARNERS_PER_CELL = 100_000
PENDING_IMPORT_MINUTES = 30
_SIGNING_SALT = "palier.steering.denominator-import"
# Spaces a spreadsheet may put between thousands ("1 250"): space, no-break, narrow no-break.
_THOUSANDS_SEPARATORS = re.compile(r"[ \u00a0\u202f]")
_YEAR_SPAN = re.compile(r"^(\d{4})\s*[-/]\s*(\d{4})$")

# Field -> (header of the template, accepted headers once folded by `header_key`).
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "population": ("public", frozenset({"public", "population", "codepublic"})),
    "year_of_study": (
        "annee_etudes",
        frozenset({"anneeetudes", "anneedetudes", "anneedetude", "yearofstudy"}),
    ),
    "academic_year": (
        "annee",
        frozenset({"annee", "anneeuniversitaire", "academicyear", "year"}),
    ),
    "learners": ("inscrits", frozenset({"inscrits", "effectif", "effectifs", "enrolled"})),
}
TEMPLATE_HEADER = tuple(label for label, _aliases in COLUMNS.values())


def accepted_years() -> range:
    """Academic years a figure may be given for: from the first year the plan counts to
    the next academic year (an intake known in advance)."""
    return range(FIRST_YEAR, academic_year(timezone.localdate()) + 2)


@dataclass(frozen=True)
class EnrolmentRow:
    """One checked figure, with what importing it would do."""

    line: int
    population: Population
    year_of_study: int
    academic_year: int
    learners: int
    action: str  # "create", "update" or "unchanged"
    previous: int | None  # the figure it replaces


@dataclass
class ImportPlan:
    encoding: str
    rows: list[EnrolmentRow] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count("create")

    @property
    def updated(self) -> int:
        return self.count("update")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")


def _records(text: str) -> tuple[dict[str, str], list[tuple[int, dict[str, str]]], list[str]]:
    """The header's titles, the non-empty records as (line, raw values) and the errors of
    malformed lines; refuses a file of more than MAX_ENROLMENT_ROWS figures."""
    found = open_records(text, COLUMNS, COLUMNS)
    records: list[tuple[int, dict[str, str]]] = []
    for line, raw in found.records:
        records.append((line, raw))
        if len(records) > MAX_ENROLMENT_ROWS:
            raise ImportRefused(
                [
                    _("Le fichier dépasse %(max)s lignes : découpez-le en plusieurs imports.")
                    % {"max": number_format(MAX_ENROLMENT_ROWS, force_grouping=True)}
                ]
            )
    return found.titles, records, found.errors


def _whole_number(text: str) -> int | None:
    digits = _THOUSANDS_SEPARATORS.sub("", text)
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 12 else None


def _academic_year(text: str) -> int | None:
    """2025 from "2025", "2025-2026" or "2025/2026"; None for anything else."""
    span = _YEAR_SPAN.match(text)
    if span:
        first, second = int(span[1]), int(span[2])
        return first if second == first + 1 else None
    return int(text) if text.isascii() and text.isdigit() and len(text) == 4 else None


def _check_cells(
    line: int,
    raw: dict[str, str],
    titles: dict[str, str],
    populations: dict[str, Population],
    years: range,
) -> tuple[tuple[Population, int, int, int] | None, list[str]]:
    """The (population, year of study, academic year, learners) of one record, or None
    with the record's errors."""
    errors: list[str] = []
    text = raw["population"]
    population = populations.get(header_key(text)) if text else None
    if population is None:
        problem = (
            _("public inconnu « %(value)s » (code ou intitulé du référentiel attendu)")
            % {"value": text}
            if text
            else _("public obligatoire")
        )
        errors.append(cell_error(line, titles["population"], problem))
    text = raw["year_of_study"]
    year_of_study = _whole_number(text)
    if year_of_study is None or not 1 <= year_of_study <= MAX_YEAR_OF_STUDY:
        errors.append(
            cell_error(
                line,
                titles["year_of_study"],
                _("« %(value)s » n'est pas une année d'études de 1 à %(max)d")
                % {"value": text, "max": MAX_YEAR_OF_STUDY},
            )
        )
    text = raw["academic_year"]
    year = _academic_year(text)
    if year is None or year not in years:
        errors.append(
            cell_error(
                line,
                titles["academic_year"],
                _(
                    "« %(value)s » n'est pas une année universitaire acceptée : sa première "
                    "année, de %(first)d à %(last)d (par exemple %(first)d pour %(first)d-%(next)d)"
                )
                % {"value": text, "first": years[0], "last": years[-1], "next": years[0] + 1},
            )
        )
    text = raw["learners"]
    learners = _whole_number(text)
    if learners is None or learners > MAX_LEARNERS_PER_CELL:
        errors.append(
            cell_error(
                line,
                titles["learners"],
                _("« %(value)s » n'est pas un nombre entier d'inscrits de 0 à %(max)d")
                % {"value": text, "max": MAX_LEARNERS_PER_CELL},
            )
        )
    if errors:
        return None, errors
    return (population, year_of_study, year, learners), []  # type: ignore[return-value]


def plan_import(organisation: Organisation, data: bytes) -> ImportPlan:
    """What importing `data` for `organisation` would do, after every check (format, cells,
    a cell given twice). Raises ImportRefused listing every error by row and column."""
    text, encoding = decode_file(data)
    titles, records, errors = _records(text)
    populations = population_index()
    years = accepted_years()
    existing = {
        (enrolment.population_id, enrolment.year_of_study, enrolment.academic_year): (
            enrolment.learners
        )
        for enrolment in Enrolment.objects.filter(organisation=organisation)
    }
    plan = ImportPlan(encoding=encoding)
    first_line_of: dict[tuple[int, int, int], int] = {}
    for line, raw in records:
        cell, row_errors = _check_cells(line, raw, titles, populations, years)
        if cell is None:
            errors.extend(row_errors)
            continue
        population, year_of_study, year, learners = cell
        key = (population.pk, year_of_study, year)
        if key in first_line_of:
            errors.append(
                _("ligne %(line)d : même public, année d'études et année que ligne %(first)d")
                % {"line": line, "first": first_line_of[key]}
            )
            continue
        first_line_of[key] = line
        previous = existing.get(key)
        action = "create" if previous is None else "unchanged" if previous == learners else "update"
        plan.rows.append(
            EnrolmentRow(line, population, year_of_study, year, learners, action, previous)
        )
    if errors:
        raise ImportRefused(errors)
    if not plan.rows:
        raise ImportRefused([_("Le fichier ne contient aucun effectif (seulement l'en-tête).")])
    return plan


# --- the dry run's file, carried to the confirmation --------------------------------------


def pending_token(organisation: Organisation, user: User, data: bytes) -> str:
    """A signed token holding the checked file, for this organisation and user only."""
    return sign_file(
        data, salt=_SIGNING_SALT, bound_to={"organisation": organisation.pk, "user": user.pk}
    )


def data_from_token(organisation: Organisation, user: User, token: str) -> bytes:
    """The file of a dry run's token; ServiceError 410 `import_expired` when the token is
    too old, altered, or for another organisation or user."""
    data = file_from_token(
        token,
        salt=_SIGNING_SALT,
        bound_to={"organisation": organisation.pk, "user": user.pk},
        max_age_minutes=PENDING_IMPORT_MINUTES,
    )
    if data is None:
        raise ServiceError(
            410,
            "import_expired",
            _(
                "Cette simulation n'est plus valable (plus de %(minutes)d minutes, ou pour un "
                "autre établissement) : envoyez de nouveau le fichier."
            )
            % {"minutes": PENDING_IMPORT_MINUTES},
        )
    return data
