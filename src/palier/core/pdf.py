"""What every Palier PDF shares (ReportLab, A4): the embedded font, the theme's colour, the
paragraph styles, the ruled table, the vector QR code and the boxed "verify this document"
block with its link and QR code.

Documents are built from these pieces by the app that owns their content (a positioning
result, a certificate, a session's attendance sheet and report).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from html import escape

import segno
from django.conf import settings
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

# The themes' main colours: the State theme's "bleu France" and the neutral theme's blue.
THEME_COLOURS = {"dsfr": "#000091", "neutral": "#1d4e89"}
QR_SIZE = 32 * mm
MARGIN = 18 * mm
# The width between the margins of an A4 page (210 mm), for tables that fill it.
TEXT_WIDTH = A4[0] - 2 * MARGIN
GRID_COLOUR = "#8a8f98"
# A stamp across the page ("RÉVOQUÉ"): the State design system's error red, see-through so
# that the text under it stays legible.
STAMP_COLOUR = "#ce0500"
STAMP_OPACITY = 0.25
STAMP_SIZE = 72
# Bitstream Vera, shipped with ReportLab, embedded so that every reader shows the same
# layout (a standard font left to the reader is replaced by a wider one and overflows).
FONT = "PalierSans"
BOLD = "PalierSans-Bold"


def register_fonts() -> None:
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(TTFont(FONT, "Vera.ttf"))
    pdfmetrics.registerFont(TTFont(BOLD, "VeraBd.ttf"))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def theme_colour() -> colors.Color:
    """The active theme's main colour (titles, table headers, frames)."""
    return colors.HexColor(THEME_COLOURS.get(settings.PALIER_THEME, THEME_COLOURS["neutral"]))


def pdf_text(text: str) -> str:
    """`text` escaped for a Paragraph; the embedded font has no narrow no-break space
    (before "%" in French), so a no-break space stands in for it."""
    return escape(text.replace("\u202f", "\u00a0"))


def a4_document(buffer: io.BytesIO, title: str, author: str, language: str) -> SimpleDocTemplate:
    """An A4 document with Palier's margins, its title and language in the metadata."""
    return SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=author,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        lang=(language or "fr")[:2],
    )


def render(story: list, title: str, author: str, language: str, stamp: str = "") -> bytes:
    """The PDF of `story` on A4 pages; `stamp`, if any, written across every page."""
    buffer = io.BytesIO()
    document = a4_document(buffer, title, author, language)
    if stamp:
        document.build(story, onFirstPage=_stamp(stamp), onLaterPages=_stamp(stamp))
    else:
        document.build(story)
    return buffer.getvalue()


def _stamp(text: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFillColor(colors.HexColor(STAMP_COLOUR), alpha=STAMP_OPACITY)
        canvas.setFont(BOLD, STAMP_SIZE)
        canvas.translate(document.pagesize[0] / 2, document.pagesize[1] / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, text)
        canvas.restoreState()

    return draw


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


def styles(colour: colors.Color) -> dict[str, ParagraphStyle]:
    register_fonts()
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
        # A table's heading cell that wraps (on the theme's colour, see `table`).
        "heading_cell": ParagraphStyle(
            "heading_cell", parent=normal, fontName=BOLD, textColor=colors.white
        ),
    }


def table(
    rows: list[list],
    widths: list[float],
    colour: colors.Color,
    header: bool = True,
    heights: list[float | None] | None = None,
) -> Table:
    """A ruled table; with `header`, its first row is the coloured heading row (repeated on
    each page), otherwise its first column is the bold label column. `heights` fixes the
    height of rows (None: as tall as their content)."""
    ruled = Table(rows, colWidths=widths, rowHeights=heights, repeatRows=1 if header else 0)
    ruled.hAlign = "LEFT"
    style = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 9.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor(GRID_COLOUR)),
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
    ruled.setStyle(TableStyle(style))
    return ruled


def verification_block(text: list[Flowable], url: str, colour: colors.Color) -> Table:
    """`text` (heading, code, link) framed beside the QR code of `url`."""
    block = Table(
        [[text, qr_drawing(url)]], colWidths=[TEXT_WIDTH - QR_SIZE - 4 * mm, QR_SIZE + 4 * mm]
    )
    block.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1, colour),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    return block


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped), e.g. a table cell that wraps."""
    return Paragraph(pdf_text(text), style)
