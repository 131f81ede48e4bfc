"""A campaign's participants as a spreadsheet: CSV or XLSX, one row per participant.

Names, status and dates are visible to the organisation from joining on; result columns
(population, year, level per area, signal per competence) come only from the snapshot a
learner shared, so an unshared participant's result cells are empty. Rows are read with
`.iterator()` in chunks; codes are written as words (statuses, populations, areas,
competences, levels), read in three queries: four queries whatever the number of
participants.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from palier.campaigns.models import Campaign, Participation
from palier.core.csv import default_delimiter, iter_csv
from palier.core.xlsx import text_cell
from palier.frameworks.models import Competence, Level, Population

CHUNK_SIZE = 1000
# The XLSX is built in memory up to this size, then in a temporary file.
XLSX_MEMORY_BYTES = 8 * 1024 * 1024
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "%Y-%m-%d %H:%M"
XLSX_DATE_FORMAT = "yyyy-mm-dd hh:mm"
# Index of the first result column (population) in a row: after the names, id, status, dates.
RESULT_START = 8


def signal_labels() -> dict[str, str]:
    """The words written for each competence signal (in the reader's language)."""
    return {
        "gap": _("à travailler"),
        "expected": _("conforme au niveau"),
        "strength": _("point fort"),
        "unknown": _("indéterminé"),
    }


@dataclass(frozen=True)
class ExportColumns:
    """The campaign's result columns and the words written for its codes, in the reader's
    language: area and competence titles, level labels, population titles."""

    areas: list[str]
    competences: list[str]
    external_id_label: str = ""
    area_titles: dict[str, str] = field(default_factory=dict)
    competence_titles: dict[str, str] = field(default_factory=dict)
    level_labels: dict[tuple[str, int], str] = field(default_factory=dict)
    population_titles: dict[str, str] = field(default_factory=dict)

    def header(self) -> list[str]:
        return [
            _("Nom"),
            _("Prénom"),
            _("E-mail"),
            self.external_id_label or _("Identifiant"),
            _("Statut"),
            _("Inscription"),
            _("Fin du test"),
            _("Partage"),
            _("Public"),
            _("Année de formation"),
            *[
                _("%(area)s (%(code)s) : niveau")
                % {"area": self.area_titles.get(area, area), "code": area}
                for area in self.areas
            ],
            *[
                f"{code} {self.competence_titles[code]}".strip()
                if code in self.competence_titles
                else code
                for code in self.competences
            ],
        ]

    def level_words(self, area: str, level: object) -> object:
        """A level as read in a CSV: rank, en dash, label ("3 - Intermédiaire" with an en dash);
        the rank alone if the level has no label."""
        if not isinstance(level, int):
            return level
        label = self.level_labels.get((area, level))
        return f"{level} \N{EN DASH} {label}" if label else level


def export_columns(campaign: Campaign) -> ExportColumns:
    """The campaign's areas (in its order), their competences and the labels of their codes
    (three queries: competences with their areas, levels, populations)."""
    areas = list(campaign.areas)
    position = {area: index for index, area in enumerate(areas)}
    competences = sorted(
        Competence.objects.filter(area__framework_id=campaign.framework_id, area__code__in=areas)
        .select_related("area")
        .order_by("position", "code"),
        key=lambda competence: position[competence.area.code],
    )
    levels = Level.objects.filter(
        area__framework_id=campaign.framework_id, area__code__in=areas
    ).select_related("area")
    return ExportColumns(
        areas=areas,
        competences=[competence.code for competence in competences],
        external_id_label=campaign.external_id_label,
        area_titles={competence.area.code: competence.area.title for competence in competences},
        competence_titles={competence.code: competence.title for competence in competences},
        level_labels={(level.area.code, level.rank): level.label for level in levels},
        population_titles={
            population.code: population.title for population in Population.objects.all()
        },
    )


def export_rows(campaign: Campaign, columns: ExportColumns) -> Iterator[list[object]]:
    """One row per participant, typed (datetimes aware, levels as integers, None when empty),
    read in chunks of CHUNK_SIZE (one query). Status, population and signals are words."""
    statuses = dict(Participation.Status.choices)
    labels = signal_labels()
    participations = (
        Participation.objects.filter(campaign=campaign)
        .select_related("user")
        .only(
            "status",
            "external_id",
            "joined_at",
            "finished_at",
            "shared_at",
            "snapshot",
            "user__first_name",
            "user__last_name",
            "user__email",
        )
        .order_by("user__last_name", "user__first_name", "user__email", "pk")
    )
    empty_results = [None] * (len(columns.areas) + len(columns.competences))
    for participation in participations.iterator(chunk_size=CHUNK_SIZE):
        user = participation.user
        row: list[object] = [
            user.last_name,
            user.first_name,
            user.email,
            participation.external_id,
            str(statuses.get(participation.status, participation.status)),
            participation.joined_at,
            participation.finished_at,
            participation.shared_at,
        ]
        snapshot = participation.snapshot
        if participation.status != Participation.Status.SHARED or not snapshot:
            row += [None, None, *empty_results]
        else:
            areas = snapshot.get("areas") or {}
            signals = snapshot.get("competences") or {}
            population = snapshot.get("population") or None
            row += [
                columns.population_titles.get(population, population),
                snapshot.get("year_of_study"),
            ]
            row += [(areas.get(area) or {}).get("level") for area in columns.areas]
            row += [
                labels.get(signals[code], signals[code]) if code in signals else None
                for code in columns.competences
            ]
        yield row


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment).replace(tzinfo=None)


def csv_chunks(campaign: Campaign, *, delimiter: str | None = None) -> Iterator[str]:
    """The export as CSV text chunks: UTF-8 with a byte-order mark, formulas neutralised,
    levels in words; the separator is the reader's language's unless given."""
    columns = export_columns(campaign)
    first_level = RESULT_START + 2  # after population and year
    level_areas = dict(enumerate(columns.areas, start=first_level))

    def as_text(row: list[object]) -> list[object]:
        cells: list[object] = []
        for index, value in enumerate(row):
            if value is None:
                cells.append("")
            elif isinstance(value, datetime):
                cells.append(_local(value).strftime(DATE_FORMAT))
            elif index in level_areas:
                cells.append(columns.level_words(level_areas[index], value))
            else:
                cells.append(value)
        return cells

    rows = (as_text(row) for row in export_rows(campaign, columns))
    yield from iter_csv(
        columns.header(),
        rows,
        delimiter=delimiter or default_delimiter(),
        bom=True,
        neutralise=True,
    )


def xlsx_file(campaign: Campaign) -> IO[bytes]:
    """The export as an XLSX workbook in a temporary file, rewound (the caller closes it).

    Every text is written as a text cell, never a formula, whatever it starts with."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=campaign.code)
    columns = export_columns(campaign)
    sheet.append([text_cell(sheet, title) for title in columns.header()])
    for row in export_rows(campaign, columns):
        sheet.append([_cell(sheet, value) for value in row])
    spooled = tempfile.SpooledTemporaryFile(max_size=XLSX_MEMORY_BYTES)  # noqa: SIM115
    workbook.save(spooled)
    spooled.seek(0)
    return spooled  # type: ignore[return-value]


def _cell(sheet: object, value: object) -> object:
    if isinstance(value, str):
        return text_cell(sheet, value)
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=_local(value))
        cell.number_format = XLSX_DATE_FORMAT
        return cell
    return value
