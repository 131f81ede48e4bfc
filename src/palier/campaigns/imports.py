"""Import of a campaign's expected learners from a spreadsheet (CSV), to follow coverage.

The file is read whole (at most MAX_FILE_BYTES) and checked row by row (campaigns.
import_checks), then either refused with every error found, by row and column, or imported
all at once. A dry run reports what would be created or updated and writes nothing; it keeps
the file as a PendingImport so that the admin confirms without choosing it again. A learner
already expected with the same e-mail address is updated, never duplicated; learners missing
from the file stay expected. A "groupe" column puts each learner in that group of the
organisation (created if needed); it never takes anyone out of a group.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import IO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.campaigns.group_services import add_members
from palier.campaigns.import_checks import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    TEMPLATE_HEADER,
    ImportRefused,
    LearnerRow,
    header_key,
    parse_expected,
    read_limited,
)
from palier.campaigns.models import Campaign, ExpectedLearner, LearnerGroupMember, PendingImport
from palier.campaigns.services import CampaignError
from palier.core.db import analyze
from palier.frameworks.models import Population

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "TEMPLATE_HEADER",
    "ImportRefused",
    "ImportReport",
    "confirm_pending_import",
    "header_key",
    "import_expected",
    "keep_pending_import",
]

# Rows shown in a dry run's preview.
PREVIEW_ROWS = 50
WRITE_BATCH = 1000
# A dry run's file waits this long for its confirmation, then has to be sent again.
PENDING_IMPORT_MINUTES = 30
# The fields of ExpectedLearner a file can set (the group is a membership, not a field).
LEARNER_FIELDS = ("last_name", "first_name", "external_id", "population", "year_of_study")


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
    group: str


@dataclass
class ImportReport:
    dry_run: bool
    encoding: str
    delimiter: str
    columns: list[str]
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    groups_created: int = 0
    preview: list[PreviewRow] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class _Plan:
    to_create: list[ExpectedLearner]
    to_update: list[ExpectedLearner]
    actions: list[tuple[LearnerRow, str]]
    memberships: list[tuple[str, str]]  # (address, group name) of every row with a group


def _plan(campaign: Campaign, rows: list[LearnerRow], fields: list[str]) -> _Plan:
    """What the import changes, comparing with the learners already expected (matched by
    e-mail address, whatever its case) and with the organisation's groups: a row whose
    learner joins a group they were not in counts as an update."""
    existing = {
        learner.email.lower(): learner
        for learner in ExpectedLearner.objects.filter(campaign=campaign).select_related(
            "population"
        )
    }
    memberships = [(row.email, str(row.values["group"])) for row in rows if row.values.get("group")]
    member_of: set[tuple[str, str]] = set()
    if memberships:
        member_of = {
            (email, name.lower())
            for email, name in LearnerGroupMember.objects.filter(
                group__organisation_id=campaign.organisation_id,
                email__in=[email for email, _name in memberships],
            ).values_list("email", "group__name")
        }
    learner_fields = [name for name in fields if name in LEARNER_FIELDS]
    plan = _Plan([], [], [], memberships)
    for row in rows:
        values = {name: row.values[name] for name in learner_fields}
        group = str(row.values.get("group") or "")
        joins_group = bool(group) and (row.email, group.lower()) not in member_of
        learner = existing.get(row.email)
        if learner is None:
            plan.to_create.append(ExpectedLearner(campaign=campaign, email=row.email, **values))
            plan.actions.append((row, "create"))
            continue
        changed = learner.email != row.email
        for name, value in values.items():
            if getattr(learner, name) != value:
                changed = True
                setattr(learner, name, value)
        learner.email = row.email
        if changed:
            plan.to_update.append(learner)
        plan.actions.append((row, "update" if changed or joins_group else "unchanged"))
    return plan


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
                group=str(row.values.get("group") or ""),
            )
        )
    return preview


def _import_data(campaign: Campaign, data: bytes, *, dry_run: bool) -> ImportReport:
    rows, fields, encoding, delimiter = parse_expected(data, campaign.external_id_label)
    fields = [name for name in fields if name != "email"]
    report = ImportReport(
        dry_run=dry_run,
        encoding=encoding,
        delimiter=delimiter,
        columns=[COLUMNS[name][0] for name in ["email", *fields]],
    )
    if dry_run:
        plan = _plan(campaign, rows, fields)
    else:
        plan, report.groups_created = _write(campaign, rows, fields)
        analyze(ExpectedLearner)
    report.created = len(plan.to_create)
    report.updated = sum(1 for _row, action in plan.actions if action == "update")
    report.unchanged = len(plan.actions) - report.created - report.updated
    report.preview = _preview(plan.actions)
    return report


def import_expected(campaign: Campaign, upload: IO[bytes], *, dry_run: bool) -> ImportReport:
    """Import (or, with `dry_run`, only check) a CSV file of expected learners.

    Columns: nom, prénom, e-mail (required), identifiant (or the campaign's own name for
    it), public, année, groupe — or their English names. A column left out of the file
    leaves that field of already expected learners unchanged. Raises ImportRefused (a
    CampaignError) listing every error; then nothing is written."""
    return _import_data(campaign, read_limited(upload), dry_run=dry_run)


@transaction.atomic
def _write(campaign: Campaign, rows: list[LearnerRow], fields: list[str]) -> tuple[_Plan, int]:
    # Lock the campaign so two imports of the same list do not both create a learner.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).values_list("pk").first()
    plan = _plan(campaign, rows, fields)
    learner_fields = [name for name in fields if name in LEARNER_FIELDS]
    try:
        with transaction.atomic():
            ExpectedLearner.objects.bulk_create(plan.to_create, batch_size=WRITE_BATCH)
            if plan.to_update:
                ExpectedLearner.objects.bulk_update(
                    plan.to_update, ["email", *learner_fields], batch_size=WRITE_BATCH
                )
            groups_created = add_members(campaign.organisation, plan.memberships)
    except IntegrityError as error:
        raise CampaignError(
            409,
            "import_conflict",
            _("La liste a changé pendant l'import : réessayez."),
        ) from error
    return plan, groups_created


# --- dry run, then confirmation without sending the file again ----------------------------


@transaction.atomic
def keep_pending_import(
    campaign: Campaign, user: User, upload: IO[bytes]
) -> tuple[ImportReport, str]:
    """Check the file (a dry run) and keep it for `confirm_pending_import`: the report and
    the token that confirms it. Replaces the user's previous pending file for the campaign
    and drops every expired one. Raises ImportRefused, keeping nothing, if the file is
    refused."""
    data = read_limited(upload)
    report = _import_data(campaign, data, dry_run=True)
    expired = timezone.now() - timedelta(minutes=PENDING_IMPORT_MINUTES)
    PendingImport.objects.filter(created_at__lt=expired).delete()
    PendingImport.objects.filter(campaign=campaign, user=user).delete()
    token = secrets.token_urlsafe(32)
    PendingImport.objects.create(campaign=campaign, user=user, token=token, data=data)
    return report, token


@transaction.atomic
def confirm_pending_import(campaign: Campaign, user: User, token: str) -> ImportReport:
    """Import the file the user checked for this campaign with the dry run that gave
    `token`. The file is checked again (all or nothing, as any import). Raises CampaignError
    410 `import_expired` if there is no such file: expired, already imported, replaced by
    a later dry run, or someone else's."""
    expired = timezone.now() - timedelta(minutes=PENDING_IMPORT_MINUTES)
    pending = (
        PendingImport.objects.select_for_update()
        .filter(campaign=campaign, user=user, token=str(token)[:64], created_at__gte=expired)
        .first()
    )
    if pending is None:
        raise CampaignError(
            410,
            "import_expired",
            _(
                "Cette simulation n'est plus valable (plus de %(minutes)d minutes, déjà "
                "importée ou remplacée par une autre) : envoyez de nouveau le fichier."
            )
            % {"minutes": PENDING_IMPORT_MINUTES},
        )
    report = _import_data(campaign, bytes(pending.data), dry_run=False)
    pending.delete()
    return report
