"""The only writers of denominators: institutions' enrolled learners (declared on a form or
imported from a file) and national totals entered by steering.

A figure replaces the one already given for the same cell (institution, population, year of
study, academic year; or population and academic year nationally), and who gave it and when
are updated. Cells left out of an import keep their figure. Every function runs in one
transaction and refuses bad input with a DenominatorError, writing nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.accounts.models import User
from palier.core.db import analyze
from palier.core.errors import ServiceError
from palier.frameworks.models import Population
from palier.organisations.models import Organisation
from palier.steering.choices import DenominatorSource
from palier.steering.denominator_import import (
    MAX_LEARNERS_PER_CELL,
    ImportPlan,
    accepted_years,
    plan_import,
)
from palier.steering.models import SOURCE_MAX_LENGTH, Enrolment, NationalTotal

__all__ = [
    "DenominatorError",
    "EnrolmentCell",
    "declare_enrolment",
    "import_enrolments",
    "save_national_total",
    "set_enrolments",
]

WRITE_BATCH = 1000


class DenominatorError(ServiceError):
    """A denominator write refused, with a stable code."""


@dataclass(frozen=True)
class EnrolmentCell:
    population: Population
    year_of_study: int
    academic_year: int
    learners: int


def _check_year(academic_year: int) -> None:
    years = accepted_years()
    if academic_year not in years:
        raise DenominatorError(
            400,
            "invalid_year",
            _("Année universitaire hors de la période acceptée (%(first)d à %(last)d).")
            % {"first": years[0], "last": years[-1]},
        )


def _check_cell(cell: EnrolmentCell) -> None:
    _check_year(cell.academic_year)
    if not 1 <= cell.year_of_study <= MAX_YEAR_OF_STUDY:
        raise DenominatorError(
            400,
            "invalid_year_of_study",
            _("L'année d'études va de 1 à %(max)d.") % {"max": MAX_YEAR_OF_STUDY},
        )
    if not 0 <= cell.learners <= MAX_LEARNERS_PER_CELL:
        raise DenominatorError(
            400,
            "invalid_learners",
            _("Le nombre d'inscrits va de 0 à %(max)d.") % {"max": MAX_LEARNERS_PER_CELL},
        )


@transaction.atomic
def set_enrolments(
    organisation: Organisation,
    user: User | None,
    cells: list[EnrolmentCell],
    source: str,
) -> tuple[int, int]:
    """Give `organisation`'s figures for `cells` (each cell once), replacing the figures
    already given for them: (created, replaced). Checks every cell before writing."""
    for cell in cells:
        _check_cell(cell)
    keys = [(cell.population.pk, cell.year_of_study, cell.academic_year) for cell in cells]
    if len(set(keys)) != len(keys):
        raise DenominatorError(400, "duplicate_cell", _("Un effectif est donné deux fois."))
    # Lock the organisation so that two imports do not both create the same cell.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).values_list("pk").first()
    existing = {
        (enrolment.population_id, enrolment.year_of_study, enrolment.academic_year): enrolment
        for enrolment in Enrolment.objects.filter(organisation=organisation)
    }
    now = timezone.now()
    to_create: list[Enrolment] = []
    to_update: list[Enrolment] = []
    for key, cell in zip(keys, cells, strict=True):
        enrolment = existing.get(key)
        if enrolment is None:
            to_create.append(
                Enrolment(
                    organisation=organisation,
                    population=cell.population,
                    year_of_study=cell.year_of_study,
                    academic_year=cell.academic_year,
                    learners=cell.learners,
                    source=source,
                    declared_by=user,
                )
            )
            continue
        enrolment.learners = cell.learners
        enrolment.source = source
        enrolment.declared_by = user
        enrolment.declared_at = now  # bulk_update does not apply auto_now
        to_update.append(enrolment)
    try:
        with transaction.atomic():
            Enrolment.objects.bulk_create(to_create, batch_size=WRITE_BATCH)
            Enrolment.objects.bulk_update(
                to_update,
                ["learners", "source", "declared_by", "declared_at"],
                batch_size=WRITE_BATCH,
            )
    except IntegrityError as error:
        raise DenominatorError(
            409, "import_conflict", _("Les effectifs ont changé entre-temps : réessayez.")
        ) from error
    return len(to_create), len(to_update)


def declare_enrolment(
    organisation: Organisation, user: User, cell: EnrolmentCell
) -> tuple[int, int]:
    """One figure given on the form: (created, replaced), each 0 or 1."""
    return set_enrolments(organisation, user, [cell], DenominatorSource.FORM)


@transaction.atomic
def import_enrolments(organisation: Organisation, user: User, data: bytes) -> ImportPlan:
    """Import a file of figures (checked again here), all or nothing: every figure of the
    file replaces the one given for its cell; cells not in the file keep theirs. Raises
    ImportRefused with every error, writing nothing."""
    plan = plan_import(organisation, data)
    set_enrolments(
        organisation,
        user,
        [
            EnrolmentCell(row.population, row.year_of_study, row.academic_year, row.learners)
            for row in plan.rows
        ],
        DenominatorSource.IMPORT,
    )
    analyze(Enrolment)
    return plan


@transaction.atomic
def save_national_total(
    user: User | None,
    population: Population,
    academic_year: int,
    learners: int,
    source: str,
    source_date: dt.date,
) -> tuple[NationalTotal, bool]:
    """Enter (or replace) the national number of learners of `population` in
    `academic_year`, with its published source and the source's date: (total, created)."""
    _check_year(academic_year)
    source = " ".join(source.split())
    if not source or len(source) > SOURCE_MAX_LENGTH:
        raise DenominatorError(
            400,
            "invalid_source",
            _("Indiquez la source (%(max)d caractères au plus).") % {"max": SOURCE_MAX_LENGTH},
        )
    if source_date > timezone.localdate():
        raise DenominatorError(
            400, "future_source_date", _("La date de la source ne peut pas être à venir.")
        )
    if learners < 0:
        raise DenominatorError(
            400, "invalid_learners", _("Le nombre d'apprenants est positif ou nul.")
        )
    total, created = NationalTotal.objects.select_for_update().update_or_create(
        population=population,
        academic_year=academic_year,
        defaults={
            "learners": learners,
            "source": source,
            "source_date": source_date,
            "entered_by": user,
        },
    )
    return total, created
