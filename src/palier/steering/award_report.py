"""An award's yearly report, the one a programme sends its funder, as PDF (ReportLab, the
house style of `core/pdf.py`) and XLSX (openpyxl): the award's identity and amount, its
learners planned and reached per population, their levels, the training hours and the
certifications of one academic year. The tables are the page's (`award_queries`, one
computation), printed as the page prints them (`figure`) and written as the dashboard's
exports write them (`exports.export_rows`), so every hidden figure stays hidden: the PDF
says "masqué", the XLSX leaves the cell empty and says why in the row's note, and both
state the rule under a table that hides a figure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils import translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from palier.core import pdf
from palier.core.i18n import localized
from palier.core.xlsx import text_cell, value_cell
from palier.steering import award_queries
from palier.steering.exports import export_header, export_rows
from palier.steering.models import Award
from palier.steering.privacy import Shown, hidden_rule
from palier.steering.tables import Row, Table
from palier.steering.templatetags.steering_tables import has_hidden, number
from palier.steering.years import year_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABEL_WIDTH_MM = 62
# Tables with more figure columns than this (levels) get a narrower label column.
WIDE_TABLE_COLUMNS = 4
WIDE_LABEL_WIDTH_MM = 50
# Excel's limit on a sheet's name.
SHEET_NAME_LENGTH = 31


def amount_text(euros: int) -> str:
    """An amount in euros as read ("1 200 000 €"); 0 means the amount is not public."""
    if not euros:
        return _("non communiqué")
    return _("%(amount)s €") % {"amount": number_format(euros, force_grouping=True)}


def award_facts(award: Award) -> list[tuple[str, str]]:
    """The award's identity as label/value pairs (page and report)."""
    facts = [
        (_("Appel à projets"), award.call.title),
        (_("Lauréat"), award.organisation.name),
        (_("Partenaires"), ", ".join(award.partners.split("\n")).strip() or "—"),
        (_("Montant"), amount_text(award.amount_euros)),
        (
            _("Période"),
            _("du %(start)s au %(end)s")
            % {
                "start": date_format(award.starts_on, "DATE_FORMAT"),
                "end": date_format(award.ends_on, "DATE_FORMAT"),
            },
        ),
        (_("Objectifs"), localized(award, "objectives") or "—"),
        (_("Source"), award.source or "—"),
    ]
    if award.is_demo:
        facts.insert(0, (_("Nature"), _("Données de démonstration (projet fictif)")))
    return facts


def cell_text(cell: Shown) -> str:
    """A figure as printed, as the page's `figure` writes it without markup: "masqué" when
    hidden, "—" when it does not exist."""
    return _("masqué") if cell.hidden else str(number(cell.value))


def _notes(table: Table) -> tuple[str, ...]:
    """The table's notes, and the privacy rule under a table that hides a figure (as on
    the page)."""
    return (*table.notes, *((hidden_rule(),) if has_hidden(table) else ()))


@dataclass(frozen=True)
class Report:
    award: Award
    year: int
    facts: list[tuple[str, str]]
    tables: list[Table]

    @property
    def title(self) -> str:
        return _("Rapport annuel %(year)s — %(award)s") % {
            "year": year_label(self.year),
            "award": self.award.title,
        }


def build_report(award: Award, year: int) -> Report:
    hidden = award_queries.dashboard_hidden(award)
    return Report(
        award=award,
        year=year,
        facts=award_facts(award),
        tables=[
            award_queries.reach_by_year(award, hidden),
            *award_queries.year_tables(award, year, hidden),
        ],
    )


def _rows(table: Table) -> list[Row]:
    return [*table.rows, *([table.total] if table.total else [])]


# --- PDF --------------------------------------------------------------------------------


def report_pdf(award: Award, year: int, language: str) -> bytes:
    """The yearly report of `award` for academic year `year`, in `language`."""
    with translation.override(language):
        report = build_report(award, year)
        colour = pdf.theme_colour()
        style = pdf.styles(colour)
        story: list = [pdf.paragraph(report.title, style["title"])]
        if award.is_demo:
            story.append(pdf.paragraph(_("Données de démonstration."), style["notice"]))
        facts = [[label, pdf.paragraph(value, style["normal"])] for label, value in report.facts]
        story.append(pdf.table(facts, [45 * mm, pdf.TEXT_WIDTH - 45 * mm], colour, header=False))
        for table in report.tables:
            story += [pdf.paragraph(table.title, style["h2"]), _pdf_table(table, style, colour)]
            story += [pdf.paragraph(note, style["small"]) for note in _notes(table)]
        story.append(Spacer(1, 4 * mm))
        return pdf.render(story, report.title, award.organisation.name, language)


def _pdf_table(table: Table, style: dict, colour: object) -> object:
    """A table with its total row; a wide one (levels) gets a narrower label column and
    smaller headings so that every heading fits its column."""
    wide = len(table.columns) > WIDE_TABLE_COLUMNS
    heading = (
        style["heading_cell"].clone("heading_small", fontSize=8, leading=10)
        if wide
        else style["heading_cell"]
    )
    label_width = (WIDE_LABEL_WIDTH_MM if wide else LABEL_WIDTH_MM) * mm
    header = [pdf.paragraph(text, heading) for text in (table.label_header, *table.columns)]
    body = [
        [pdf.paragraph(row.label, style["normal"])]
        + [pdf.paragraph(cell_text(cell), style["normal"]) for cell in row.cells]
        for row in _rows(table)
    ]
    if not body:
        body = [[pdf.paragraph(_("Aucun."), style["normal"])] + [""] * len(table.columns)]
    figure = (pdf.TEXT_WIDTH - label_width) / max(len(table.columns), 1)
    return pdf.table([header, *body], [label_width] + [figure] * len(table.columns), colour)


# --- XLSX -------------------------------------------------------------------------------


def report_xlsx(award: Award, year: int, language: str) -> bytes:
    """The yearly report as a workbook: the award's identity on the first sheet, then one
    sheet per table (hidden figures are empty cells, the row's note says why)."""
    with translation.override(language):
        report = build_report(award, year)
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_("Projet")[:SHEET_NAME_LENGTH])
        sheet.append([text_cell(sheet, report.title)])
        if award.is_demo:
            sheet.append([text_cell(sheet, _("Données de démonstration."))])
        for label, value in report.facts:
            sheet.append([text_cell(sheet, label), text_cell(sheet, value)])
        for table in report.tables:
            sheet = workbook.create_sheet(title=table.code[:SHEET_NAME_LENGTH])
            sheet.append([text_cell(sheet, table.title)])
            # The same rows as the dashboard's exports: a hidden figure is an empty cell
            # and the row's note says which figures are hidden and why.
            sheet.append([text_cell(sheet, str(text)) for text in export_header(table)])
            for values in export_rows(table):
                sheet.append([value_cell(sheet, value) for value in values])
            for note in _notes(table):
                sheet.append([text_cell(sheet, note)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
