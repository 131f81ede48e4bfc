"""Reading and checking a file of candidates (CSV) for a session; writes nothing.

The file is read and decoded as the campaigns' expected learners' file is (same size limit,
encodings, separators and error wording, from campaigns.import_checks), then checked row by
row: `plan_import` gives what the import would create and update, or raises ImportRefused
with every error by row and column. enrolment.import_candidates writes the plan, all
or nothing. A dry run's file is carried to the confirmation in a signed token (no copy kept
on the server), valid PENDING_IMPORT_MINUTES.

Columns (headers folded: case, accents and punctuation ignored):
email (required), extra_time (percent, 0-200, empty = 0), screen_reader (oui/non, empty =
non), override_reason (only for a candidate certified less than 12 months ago).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.campaigns.import_checks import (
    MAX_FILE_BYTES,
    ImportRefused,
    cell_error,
    decode_file,
    open_records,
    read_limited,
)
from palier.certification.enrolment import MAX_EXTRA_TIME_PERCENT, candidate_row
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Session
from palier.core.signed_files import file_from_token, sign_file

__all__ = [
    "COLUMNS",
    "MAX_CANDIDATE_ROWS",
    "MAX_FILE_BYTES",
    "PENDING_IMPORT_MINUTES",
    "TEMPLATE_HEADER",
    "ImportPlan",
    "ImportRefused",
    "data_from_token",
    "pending_token",
    "plan_import",
    "read_limited",
]

MAX_CANDIDATE_ROWS = 1000
PENDING_IMPORT_MINUTES = 30
OVERRIDE_REASON_MAX_LENGTH = 1000
_SIGNING_SALT = "palier.certification.candidate-import"

# Field -> (header of the template, accepted headers once folded by `header_key`).
COLUMNS: dict[str, tuple[str, frozenset[str]]] = {
    "email": ("email", frozenset({"email", "courriel", "adresseemail"})),
    "extra_time": (
        "extra_time",
        frozenset({"extratime", "tempssupplementaire", "tierstemps"}),
    ),
    "screen_reader": ("screen_reader", frozenset({"screenreader", "lecteurdecran"})),
    "override_reason": (
        "override_reason",
        frozenset({"overridereason", "motifdederogation", "derogation"}),
    ),
}
TEMPLATE_HEADER = tuple(label for label, _aliases in COLUMNS.values())
YES = frozenset({"oui", "o", "yes", "y", "1", "vrai", "true", "x"})
NO = frozenset({"non", "n", "no", "0", "faux", "false", ""})


@dataclass(frozen=True)
class PlannedRow:
    line: int
    action: str  # "create", "update" or "unchanged"
    email: str
    name: str
    extra_time_percent: int
    screen_reader: bool
    override: bool


@dataclass
class ImportPlan:
    encoding: str
    to_create: list[Candidate] = field(default_factory=list)
    to_update: list[Candidate] = field(default_factory=list)
    rows: list[PlannedRow] = field(default_factory=list)

    @property
    def created(self) -> int:
        return len(self.to_create)

    @property
    def updated(self) -> int:
        return len(self.to_update)

    @property
    def unchanged(self) -> int:
        return len(self.rows) - self.created - self.updated


def _records(text: str) -> tuple[dict[str, int], dict[str, str], list[tuple[int, dict]], list]:
    """The header's positions and titles, the non-empty records as (line, raw values) and
    the errors of malformed lines."""
    found = open_records(text, COLUMNS, ("email",))
    records: list[tuple[int, dict]] = []
    for line, raw in found.records:
        records.append((line, raw))
        if len(records) > MAX_CANDIDATE_ROWS:
            raise ImportRefused(
                [
                    _("Le fichier dépasse %(max)d candidats : une session en compte moins.")
                    % {"max": MAX_CANDIDATE_ROWS}
                ]
            )
    return found.positions, found.titles, records, found.errors


def _extra_time(text: str) -> int | None:
    digits = text.replace("%", "").strip()
    if not digits:
        return 0
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(digits)
    return value if value <= MAX_EXTRA_TIME_PERCENT else None


def _check_cells(line: int, raw: dict[str, str], titles: dict[str, str]):
    """(email, extra time, screen reader, reason, errors) of one record."""
    errors: list[str] = []
    email = raw["email"].lower()
    try:
        if not email:
            errors.append(cell_error(line, titles["email"], _("adresse obligatoire")))
        else:
            validate_email(email)
    except ValidationError:
        errors.append(
            cell_error(
                line, titles["email"], _("adresse invalide « %(value)s »") % {"value": email}
            )
        )
        email = ""
    extra = _extra_time(raw.get("extra_time", ""))
    if extra is None:
        errors.append(
            cell_error(
                line,
                titles["extra_time"],
                _("« %(value)s » n'est pas un pourcentage de 0 à %(max)d")
                % {"value": raw["extra_time"], "max": MAX_EXTRA_TIME_PERCENT},
            )
        )
    answer = raw.get("screen_reader", "").casefold()
    if answer not in YES | NO:
        errors.append(
            cell_error(
                line,
                titles["screen_reader"],
                _("« %(value)s » : répondez oui ou non") % {"value": raw["screen_reader"]},
            )
        )
    reason = raw.get("override_reason", "")
    if len(reason) > OVERRIDE_REASON_MAX_LENGTH:
        errors.append(
            cell_error(
                line,
                titles["override_reason"],
                _("%(max)d caractères au plus") % {"max": OVERRIDE_REASON_MAX_LENGTH},
            )
        )
    return email, extra or 0, answer in YES, reason, errors


def plan_import(session: Session, data: bytes, by: User | None) -> ImportPlan:
    """What importing `data` into `session` would do, after every check (format, cells,
    accounts, eligibility, candidates already enrolled). Raises ImportRefused listing every
    error by row and column."""
    text, encoding = decode_file(data)
    _positions_found, titles, records, errors = _records(text)
    emails = [raw["email"].lower() for _line, raw in records]
    accounts = {user.email: user for user in User.objects.filter(email__in=emails, is_active=True)}
    enrolled = {
        candidate.user.email: candidate
        for candidate in Candidate.objects.filter(session=session).select_related("user")
    }
    plan = ImportPlan(encoding=encoding)
    first_line_of: dict[str, int] = {}
    for line, raw in records:
        email, extra, reader, reason, row_errors = _check_cells(line, raw, titles)
        email_column = titles["email"]
        if email in first_line_of:
            row_errors.append(
                cell_error(
                    line,
                    email_column,
                    _("adresse déjà présente ligne %(line)d") % {"line": first_line_of[email]},
                )
            )
        elif email:
            first_line_of[email] = line
        user = accounts.get(email)
        if email and user is None:
            row_errors.append(
                cell_error(line, email_column, _("aucun compte Palier avec cette adresse"))
            )
        if row_errors or user is None:
            errors.extend(row_errors)
            continue
        try:
            row = candidate_row(
                session,
                user,
                extra_time_percent=extra,
                screen_reader=reader,
                override_reason=reason,
                by=by,
            )
        except CertificationError as error:
            column = titles.get("override_reason", email_column)
            if error.code != "recently_certified":
                column = email_column
            errors.append(cell_error(line, column, error.message))
            continue
        action = _place(plan, enrolled.get(email), row)
        if action is None:
            errors.append(
                cell_error(
                    line,
                    email_column,
                    _("candidat déjà arrivé : son inscription ne peut plus changer"),
                )
            )
            continue
        plan.rows.append(
            PlannedRow(
                line=line,
                action=action,
                email=email,
                name=user.get_full_name(),
                extra_time_percent=row.extra_time_percent,
                screen_reader=row.screen_reader,
                override=bool(row.override_reason),
            )
        )
    if errors:
        raise ImportRefused(errors)
    if not plan.rows:
        raise ImportRefused([_("Le fichier ne contient aucun candidat (seulement l'en-tête).")])
    return plan


def _place(plan: ImportPlan, existing: Candidate | None, row: Candidate) -> str | None:
    """Add `row` to the plan: a new candidacy, an update of an expected candidate's needs,
    or nothing to do; None when an arrived candidate's needs would change."""
    if existing is None:
        plan.to_create.append(row)
        return "create"
    same = (
        existing.extra_time_percent == row.extra_time_percent
        and existing.screen_reader == row.screen_reader
        and (not row.override_reason or existing.override_reason == row.override_reason)
    )
    if same:
        return "unchanged"
    if existing.status != Candidate.Status.EXPECTED:
        return None
    existing.extra_time_percent = row.extra_time_percent
    existing.screen_reader = row.screen_reader
    if row.override_reason:
        existing.override_reason = row.override_reason
        existing.override_by = row.override_by
    plan.to_update.append(existing)
    return "update"


# --- the dry run's file, carried to the confirmation --------------------------------------


def pending_token(session: Session, user: User, data: bytes) -> str:
    """A signed token holding the checked file, for this session and user only."""
    return sign_file(data, salt=_SIGNING_SALT, bound_to={"session": session.pk, "user": user.pk})


def data_from_token(session: Session, user: User, token: str) -> bytes:
    """The file of a dry run's token; CertificationError 410 `import_expired` when the token
    is too old, altered, or for another session or user."""
    data = file_from_token(
        token,
        salt=_SIGNING_SALT,
        bound_to={"session": session.pk, "user": user.pk},
        max_age_minutes=PENDING_IMPORT_MINUTES,
    )
    if data is None:
        raise CertificationError(
            410,
            "import_expired",
            _(
                "Cette simulation n'est plus valable (plus de %(minutes)d minutes, ou pour une "
                "autre session) : envoyez de nouveau le fichier."
            )
            % {"minutes": PENDING_IMPORT_MINUTES},
        )
    return data
