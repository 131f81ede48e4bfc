"""The learner's result as a PDF (ReportLab): levels per area with the probability that they
are right (the page's sentences), precision, strengths and gaps.

Tagged text only (no chart image): the table and sentences carry the same numbers as the
page's chart.
"""

from __future__ import annotations

import io
from html import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from palier.assessments.competences import competence_signals
from palier.assessments.models import Attempt
from palier.assessments.queries import AreaResult, area_results
from palier.assessments.results import probability_note, synthetic_calibration

PRECISION = {
    "precise": "Mesure précise",
    "fair": "Mesure assez précise",
    "indicative": "Mesure indicative",
}


def _pdf_text(text: str) -> str:
    """`text` escaped for a Paragraph, in the PDF's standard fonts: they have no narrow
    no-break space (before "%" in French), so a no-break space stands in for it."""
    return escape(text.replace("\u202f", "\u00a0"))


def _level_cell(row: AreaResult) -> str:
    if row.between is None:
        return f"{row.level.rank} / {row.level_count} — {row.level.label}"
    low, high = row.between
    return (
        _("entre %(low)s et %(high)s / %(total)s")
        % {
            "low": low.rank,
            "high": high.rank,
            "total": row.level_count,
        }
        + f" — {low.label} / {high.label}"
    )


def result_pdf(attempt: Attempt) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Résultat de positionnement — Palier"),
        author="Palier",
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        lang=attempt.language,
    )
    styles = getSampleStyleSheet()
    finished = date_format(timezone.localtime(attempt.finished_at), "DATE_FORMAT")
    story = [
        Paragraph(_("Résultat de positionnement en santé numérique"), styles["Title"]),
        Paragraph(
            _("Test terminé le %(date)s, après %(count)s questions.")
            % {"date": finished, "count": attempt.responses.count()},
            styles["Normal"],
        ),
    ]
    if synthetic_calibration(attempt):
        story.append(
            Paragraph(
                _(
                    "Calibration de démonstration, estimée sur des données simulées : ces "
                    "niveaux et leurs probabilités sont seulement indicatifs."
                ),
                styles["Normal"],
            )
        )
    story += [Spacer(1, 6 * mm), Paragraph(_("Niveau par domaine"), styles["Heading2"])]
    results = area_results(attempt)
    for row in results:
        story.append(
            Paragraph(
                f"<b>{row.area.number}. {escape(row.area.title)}</b> — {_pdf_text(row.sentence)}",
                styles["Normal"],
            )
        )
    story += [Paragraph(_pdf_text(probability_note()), styles["Normal"]), Spacer(1, 4 * mm)]
    rows = [[_("Domaine"), _("Niveau"), _("Précision")]]
    for row in results:
        rows.append(
            [
                Paragraph(f"{row.area.number}. {row.area.title}", styles["Normal"]),
                Paragraph(_level_cell(row), styles["Normal"]),
                Paragraph(_(PRECISION[row.precision]), styles["Normal"]),
            ]
        )
    table = Table(rows, colWidths=[70 * mm, 60 * mm, 44 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm)]
    signals = competence_signals(attempt)
    for title, kind in (
        (_("Vos points forts"), "strength"),
        (_("À travailler en priorité"), "gap"),
    ):
        story.append(Paragraph(title, styles["Heading2"]))
        chosen = [s for s in signals if s.kind == kind]
        if not chosen:
            story.append(
                Paragraph(_("Aucune compétence ne se détache nettement."), styles["Normal"])
            )
        for signal in chosen:
            story.append(
                Paragraph(f"• {signal.competence.code} {signal.competence.title}", styles["Normal"])
            )
    document.build(story)
    return buffer.getvalue()
