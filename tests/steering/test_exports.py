"""Any steering table as CSV or XLSX: the page's figures, hidden ones left empty with a note,
formulas neutralised, numbers as numbers."""

import csv
import io

import openpyxl
from django.utils import translation

from palier.steering.exports import csv_chunks, xlsx_file
from palier.steering.privacy import Shown, no_figure
from palier.steering.tables import Row, Table
from palier.steering.templatetags.steering_tables import figure


def hand_made_table() -> Table:
    return Table(
        code="population",
        title="Apprenants touchés par public",
        label_header="Public",
        columns=("Touchés", "% touchés", "Heures"),
        rows=(
            Row(
                "nurses",
                '=HYPERLINK("http://evil.example")',
                (Shown(120, 120), Shown(12.345, 120), Shown(420.5, 120)),
            ),
            Row(
                "physios",
                "Masseurs-kinésithérapeutes",
                (Shown(None, 4), Shown(None, 4), Shown(None, 4)),
            ),
            Row("doctors", "Médecins", (Shown(None, 35), Shown(35.0, 35), Shown(122, 35))),
        ),
        total=Row("total", "Total", (Shown(159, 159), Shown(15.9, 159), Shown(560, 159))),
        notes=("Inscrits : déclarés par les établissements.",),
    )


def read_csv(text: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))


def test_the_csv_has_the_figures_hidden_cells_empty_with_a_note_and_the_total_last():
    with translation.override("fr"):
        rows = read_csv("".join(csv_chunks(hand_made_table())), ";")
    assert rows[0] == ["Public", "Touchés", "% touchés", "Heures", "Note"]
    assert rows[2][:4] == ["Masseurs-kinésithérapeutes", "", "", ""]
    assert "Touchés, % touchés, Heures : masqué" in rows[2][4]
    assert rows[3][:4] == ["Médecins", "", "35", "122"]
    assert rows[3][4].startswith("Touchés : masqué")
    assert rows[4] == ["Total", "159", "15,9", "560", ""]
    # The hidden counts (4 learners) are nowhere in the file.
    assert all(cell != "4" for row in rows for cell in row)


def test_the_csv_neutralises_formulas_and_writes_decimals_for_the_readers_spreadsheet():
    with translation.override("fr"):
        french = read_csv("".join(csv_chunks(hand_made_table())), ";")
    assert french[1][0] == '\'=HYPERLINK("http://evil.example")'
    assert french[1][1:4] == ["120", "12,35", "420,5"]
    with translation.override("en"):
        english = read_csv("".join(csv_chunks(hand_made_table())), ",")
    assert english[0][-1] == "Note"
    assert english[1][1:4] == ["120", "12.35", "420.5"]


def test_the_xlsx_has_numbers_empty_hidden_cells_text_labels_and_a_notes_sheet():
    with translation.override("fr"):
        workbook = openpyxl.load_workbook(
            xlsx_file(hand_made_table(), description=["Année universitaire : 2025-2026"])
        )
    sheet = workbook["population"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Public", "Touchés", "% touchés", "Heures", "Note"]
    label = sheet.cell(row=2, column=1)
    assert label.value == '=HYPERLINK("http://evil.example")'
    assert label.data_type == "s"  # a text, never run as a formula
    assert rows[1][1:4] == [120, 12.35, 420.5]
    assert rows[2][1:4] == [None, None, None]
    assert rows[3][1] is None and rows[3][2] == 35
    assert rows[4][:4] == ["Total", 159, 15.9, 560]
    notes = [row[0].value for row in workbook["Notes"].iter_rows()]
    assert notes[0] == "Apprenants touchés par public"
    assert "Année universitaire : 2025-2026" in notes
    assert "Inscrits : déclarés par les établissements." in notes
    assert any("moins de 10 apprenants" in note for note in notes)


def test_a_cell_with_no_figure_is_written_empty_without_a_privacy_note():
    table = Table(
        code="regions",
        title="Apprenants touchés par région",
        label_header="Région",
        columns=("Inscrits", "Touchés", "% touchés"),
        rows=(
            Row("53", "Bretagne", (no_figure(), Shown(25, 25), no_figure())),
            Row("11", "Île-de-France", (Shown(100, 0), Shown(None, 0), Shown(None, 0))),
        ),
    )
    with translation.override("fr"):
        rows = read_csv("".join(csv_chunks(table)), ";")
    # Bretagne has no enrolment: no share, and nothing is hidden.
    assert rows[1] == ["Bretagne", "", "25", "", ""]
    assert figure(table.rows[0].cells[0]) == "—"
    # A hidden zero stays hidden: showing it could reveal another hidden figure.
    assert rows[2][2:4] == ["", ""] and "Touchés, % touchés : masqué" in rows[2][4]
    assert "masqué" in figure(table.rows[1].cells[1])


def test_a_lazy_translated_label_is_written_as_text_in_the_xlsx():
    from django.utils.translation import gettext_lazy
    from openpyxl import load_workbook

    table = Table(
        code="situations",
        title="Apprenants touchés par situation",
        label_header="Situation",
        columns=("Touchés",),
        rows=(Row("student", gettext_lazy("En formation (étudiant ou élève)"), (Shown(25, 25),)),),
    )
    with translation.override("fr"):
        sheet = load_workbook(xlsx_file(table)).worksheets[0]
    assert sheet.cell(row=2, column=1).value == "En formation (étudiant ou élève)"
    assert sheet.cell(row=2, column=2).value == 25
