"""The learner's result as a PDF worthy of filing (ReportLab, A4): who, which curriculum,
when; per area the level, the expected level, the gap and the precision in words; strengths
and priorities; a verification code and a QR code leading to the public page that confirms
the result. In the reader's language, in the colours of the active theme.

Text and a table only (no chart image): the table carries what the page's bars show.
"""

from __future__ import annotations

import io
from html import escape

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from palier.accounts.models import User
from palier.assessments.competences import competence_signals
from palier.assessments.models import Attempt
from palier.assessments.queries import AreaResult, area_results
from palier.assessments.results import probability_note, synthetic_calibration
from palier.assessments.summary import curriculum_of, expected_levels
from palier.assessments.verification import grouped, verification_for

# The themes' main colours: the State theme's "bleu France" and the neutral theme's blue.
THEME_COLOURS = {"dsfr": "#000091", "neutral": "#1d4e89"}
QR_SIZE = 32 * mm
MARGIN = 18 * mm
# Bitstream Vera, shipped with ReportLab, embedded so that every reader shows the same
# layout (a standard font left to the reader is replaced by a wider one and overflows).
FONT = "PalierSans"
BOLD = "PalierSans-Bold"


def _register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _pdf_text(text: str) -> str:
    """`text` escaped for a Paragraph; the embedded font has no narrow no-break space
    (before "%" in French), so a no-break space stands in for it."""
    return escape(text.replace("\u202f", "\u00a0"))


def _level_cell(row: AreaResult) -> str:
    if row.between is None:
        return f"{row.level.rank} — {row.level.label}"
    low, high = row.between
    return _("entre %(low)s et %(high)s") % {"low": low.rank, "high": high.rank}


def verification_url(code: str) -> str:
    return settings.BASE_URL + reverse("assessments:verify", args=[grouped(code)])


def qr_drawing(url: str, size: float = QR_SIZE) -> Drawing:
    """The QR code of `url` drawn with vector squares (sharp when printed)."""
    qr = segno.make(url, error="m")
    matrix = [list(row) for row in qr.matrix]
    border = 2
    cells = len(matrix) + 2 * border
    cell = size / cells
    drawing = Drawing(size, size)
    drawing.add(Rect(0, 0, size, size, fillColor=colors.white, strokeColor=None))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(
                        (x + border) * cell,
                        size - (y + border + 1) * cell,
                        cell,
                        cell,
                        fillColor=colors.black,
                        strokeColor=None,
                    )
                )
    return drawing


def _styles(colour: colors.Color) -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = getSampleStyleSheet()
    normal = ParagraphStyle("normal", parent=base["Normal"], fontName=FONT, fontSize=9.5)
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontName=BOLD, fontSize=17, textColor=colour, alignment=0
        ),
        "h2": ParagraphStyle(
            "h2", parent=base["Heading2"], fontName=BOLD, fontSize=12.5, textColor=colour
        ),
        "normal": normal,
        "small": ParagraphStyle("small", parent=normal, fontSize=8, leading=10.5),
        "notice": ParagraphStyle("notice", parent=normal, fontName=BOLD, textColor=colour),
    }


def result_pdf(attempt: Attempt, user: User) -> bytes:
    """The PDF of `attempt`'s result for its learner `user`, in the active language."""
    colour = colors.HexColor(THEME_COLOURS.get(settings.PALIER_THEME, "#1d4e89"))
    styles = _styles(colour)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Résultat de positionnement — Palier"),
        author="Palier",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        lang=(get_language() or "fr")[:2],
    )
    finished = date_format(timezone.localtime(attempt.finished_at), "DATE_FORMAT")
    curriculum = curriculum_of(user)
    facts = [
        [_("Prénom et nom"), user.get_full_name() or user.email],
        [_("Formation ou métier"), curriculum.title if curriculum else _("non renseigné")],
        [_("Date du test"), finished],
        [_("Questions"), str(attempt.responses.count())],
    ]
    story = [
        Paragraph(_("Résultat de positionnement en santé numérique"), styles["title"]),
        Paragraph(_pdf_text(_("Résultat de positionnement, non certifiant.")), styles["notice"]),
        Spacer(1, 3 * mm),
        _table(facts, [45 * mm, 129 * mm], colour, header=False),
    ]
    if synthetic_calibration(attempt):
        story.append(
            Paragraph(
                _(
                    "Calibration de démonstration, estimée sur des données simulées : ces "
                    "niveaux et leurs probabilités sont seulement indicatifs."
                ),
                styles["normal"],
            )
        )
    results = area_results(attempt, expected_levels(user, attempt.framework_id))
    story.append(Paragraph(_("Niveau par domaine"), styles["h2"]))
    rows = [[_("Domaine"), _("Niveau"), _("Attendu"), _("Précision")]]
    for row in results:
        rows.append(
            [
                Paragraph(_pdf_text(f"{row.area.number}. {row.area.title}"), styles["normal"]),
                Paragraph(_pdf_text(_level_cell(row)), styles["normal"]),
                Paragraph(str(row.target or "—"), styles["normal"]),
                Paragraph(_pdf_text(row.precision_words), styles["normal"]),
            ]
        )
    story.append(_table(rows, [62 * mm, 50 * mm, 20 * mm, 42 * mm], colour))
    story.append(Spacer(1, 2 * mm))
    for row in results:
        story.append(
            Paragraph(
                f"<b>{row.area.number}.</b> {_pdf_text(row.gap_sentence)} "
                f"{_pdf_text(row.sentence)}",
                styles["small"],
            )
        )
    story.append(Paragraph(_pdf_text(probability_note()), styles["small"]))
    signals = competence_signals(attempt)
    for title, kind, empty in (
        (_("Vos points forts"), "strength", _("Aucune compétence ne se détache nettement.")),
        (
            _("À travailler en priorité"),
            "gap",
            _("Aucune compétence ne se détache nettement en dessous de votre niveau."),
        ),
    ):
        story.append(Paragraph(title, styles["h2"]))
        chosen = [signal for signal in signals if signal.kind == kind]
        if not chosen:
            story.append(Paragraph(_pdf_text(empty), styles["normal"]))
        for signal in chosen:
            story.append(
                Paragraph(
                    _pdf_text(f"• {signal.competence.code} {signal.competence.title}"),
                    styles["normal"],
                )
            )
    story += [Spacer(1, 5 * mm), _verification_block(attempt, styles, colour)]
    document.build(story)
    return buffer.getvalue()


def _table(rows: list[list], widths: list[float], colour: colors.Color, header: bool = True):
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#8a8f98")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), colour),
            ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
            ("FONTNAME", (0, 0), (-1, 0), BOLD),
        ]
    else:
        style.append(("FONTNAME", (0, 0), (0, -1), BOLD))
    table.setStyle(TableStyle(style))
    return table


def _verification_block(attempt: Attempt, styles: dict, colour: colors.Color) -> Table:
    code = verification_for(attempt).code
    url = verification_url(code)
    text = [
        Paragraph(_("Vérifier ce résultat"), styles["h2"]),
        Paragraph(
            _pdf_text(
                _(
                    "Code de vérification : %(code)s. Scannez le QR code ou ouvrez cette "
                    "adresse pour confirmer ce résultat :"
                )
                % {"code": grouped(code)}
            ),
            styles["normal"],
        ),
        Paragraph(_pdf_text(url), styles["small"]),
    ]
    block = Table([[text, qr_drawing(url)]], colWidths=[138 * mm, QR_SIZE + 4 * mm])
    block.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colour),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return block
