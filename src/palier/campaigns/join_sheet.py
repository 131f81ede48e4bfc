"""How learners reach a campaign on paper or on screen: the QR code of its join link (SVG
and PNG, segno) and a printable A4 join sheet (PDF, ReportLab) with the campaign's name,
organisation, link, code, QR code and short instructions in French and English.

The link is given by the caller (built from the request, as the dashboard shows it).
"""

from __future__ import annotations

import io
from html import escape

import segno
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.shapes import Drawing, Rect
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from palier.campaigns.models import Campaign

# Error correction "m" (15 %): readable from a creased or badly printed sheet.
QR_ERROR = "m"
QR_BORDER = 2  # modules of quiet zone around the code
SVG_SCALE = 6
PNG_SCALE = 10  # 10 pixels per module: about 450 px for a usual link, sharp on slides
SHEET_QR_SIZE = 70 * mm


def qr_code(link: str) -> segno.QRCode:
    return segno.make(link, error=QR_ERROR)


def qr_svg(campaign: Campaign, link: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(link).save(
        buffer,
        kind="svg",
        scale=SVG_SCALE,
        border=QR_BORDER,
        xmldecl=False,
        title=_("QR code de la campagne %(name)s") % {"name": campaign.name},
    )
    return buffer.getvalue()


def qr_png(link: str) -> bytes:
    buffer = io.BytesIO()
    qr_code(link).save(buffer, kind="png", scale=PNG_SCALE, border=QR_BORDER)
    return buffer.getvalue()


def _qr_drawing(link: str, size: float) -> Drawing:
    """The QR code as vector squares (sharp at any print size)."""
    matrix = [list(row) for row in qr_code(link).matrix_iter(border=QR_BORDER)]
    module = size / len(matrix)
    drawing = Drawing(size, size)
    drawing.hAlign = "CENTER"
    for row_index, row in enumerate(matrix):
        for column_index, dark in enumerate(row):
            if dark:
                drawing.add(
                    Rect(
                        column_index * module,
                        size - (row_index + 1) * module,
                        module,
                        module,
                        fillColor="black",
                        strokeColor=None,
                    )
                )
    return drawing


def _text(value: str) -> str:
    """Escaped for a Paragraph; the standard PDF fonts lack the narrow no-break space."""
    return escape(value.replace("\u202f", "\u00a0"))


def join_sheet_pdf(campaign: Campaign, link: str) -> bytes:
    """An A4 page to print or project: who asks, the link, the code, the QR code, and what to
    do, in French then English (a class may have both)."""
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=_("Rejoindre la campagne %(name)s") % {"name": campaign.name},
        author=campaign.organisation.name,
        lang="fr-FR",
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    styles = getSampleStyleSheet()
    code_style = ParagraphStyle(
        "code", parent=styles["Title"], fontName="Courier-Bold", fontSize=30, leading=36
    )
    link_style = ParagraphStyle(
        "link", parent=styles["Normal"], fontSize=12, leading=16, alignment=TA_CENTER
    )
    step_style = ParagraphStyle(
        "step", parent=styles["Normal"], fontSize=12, leading=16, spaceAfter=4
    )
    dates_style = ParagraphStyle("dates", parent=styles["Normal"], fontSize=12, alignment=TA_CENTER)
    story: list[object] = [
        Paragraph(
            _text(campaign.organisation.name),
            ParagraphStyle("organisation", parent=styles["Heading3"], alignment=TA_CENTER),
        ),
        Paragraph(_text(campaign.name), styles["Title"]),
    ]
    for language in ("fr", "en"):
        with translation.override(language):
            dates = _("Ouverte du %(start)s au %(end)s.") % {
                "start": date_format(campaign.opens_on, "DATE_FORMAT"),
                "end": date_format(campaign.closes_on, "DATE_FORMAT"),
            }
            if language == "fr":
                story.append(Paragraph(_text(dates), dates_style))
                story.append(Spacer(1, 6 * mm))
                story.append(_qr_drawing(link, SHEET_QR_SIZE))
                story.append(Spacer(1, 4 * mm))
                story.append(Paragraph(_text(campaign.display_code), code_style))
                story.append(
                    Paragraph(f'<link href="{escape(link)}">{_text(link)}</link>', link_style)
                )
                story.append(Spacer(1, 6 * mm))
            story.append(Paragraph(_text(_("Pour participer")), styles["Heading2"]))
            steps = [
                _(
                    "Scannez le QR code avec l'appareil photo de votre téléphone, ou ouvrez "
                    "le lien."
                ),
                _("Connectez-vous à Palier, ou créez votre compte (c'est gratuit)."),
                _(
                    "Si on vous demande un code, saisissez %(code)s dans « Mes campagnes » "
                    "(majuscules ou minuscules, avec ou sans tirets)."
                )
                % {"code": campaign.display_code},
                _(
                    "Lisez ce que l'organisme verra, puis participez. Dans cette campagne, "
                    "votre résultat est transmis automatiquement à la fin du test."
                )
                if campaign.sharing == Campaign.Sharing.AUTOMATIC
                else _(
                    "Lisez ce que l'organisme verra, puis participez. Rien ne lui est "
                    "transmis sans votre accord."
                ),
            ]
            for number, step in enumerate(steps, start=1):
                story.append(Paragraph(f"{number}. {_text(step)}", step_style))
            if language == "fr":
                story.append(Spacer(1, 8 * mm))
    document.build(story)
    return buffer.getvalue()
