"""The learner's result as a PDF worthy of filing (ReportLab, A4): who, which curriculum,
when; per area the level, the expected level, the gap and the precision in words; strengths
and priorities; a verification code and a QR code leading to the public page that confirms
the result. In the reader's language, in the colours of the active theme.

Text and a table only (no chart image): the table carries what the page's bars show.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from palier.accounts.models import User
from palier.assessments.competences import competence_signals
from palier.assessments.models import Attempt
from palier.assessments.queries import AreaResult, area_results
from palier.assessments.results import probability_note, synthetic_calibration
from palier.assessments.summary import curriculum_of, expected_levels
from palier.assessments.verification import grouped, verification_for
from palier.core.pdf import a4_document, pdf_text, table, theme_colour, verification_block
from palier.core.pdf import styles as pdf_styles


def _level_cell(row: AreaResult) -> str:
    if row.between is None:
        return f"{row.level.rank} — {row.level.label}"
    low, high = row.between
    return _("entre %(low)s et %(high)s") % {"low": low.rank, "high": high.rank}


def verification_url(code: str) -> str:
    return settings.BASE_URL + reverse("assessments:verify", args=[grouped(code)])


def result_pdf(attempt: Attempt, user: User) -> bytes:
    """The PDF of `attempt`'s result for its learner `user`, in the active language."""
    colour = theme_colour()
    styles = pdf_styles(colour)
    buffer = io.BytesIO()
    document = a4_document(
        buffer, _("Résultat de positionnement — Palier"), "Palier", get_language() or "fr"
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
        Paragraph(pdf_text(_("Résultat de positionnement, non certifiant.")), styles["notice"]),
        Spacer(1, 3 * mm),
        table(facts, [45 * mm, 129 * mm], colour, header=False),
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
                Paragraph(pdf_text(f"{row.area.number}. {row.area.title}"), styles["normal"]),
                Paragraph(pdf_text(_level_cell(row)), styles["normal"]),
                Paragraph(str(row.target or "—"), styles["normal"]),
                Paragraph(pdf_text(row.precision_words), styles["normal"]),
            ]
        )
    story.append(table(rows, [62 * mm, 50 * mm, 20 * mm, 42 * mm], colour))
    story.append(Spacer(1, 2 * mm))
    for row in results:
        story.append(
            Paragraph(
                f"<b>{row.area.number}.</b> {pdf_text(row.gap_sentence)} {pdf_text(row.sentence)}",
                styles["small"],
            )
        )
    story.append(Paragraph(pdf_text(probability_note()), styles["small"]))
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
            story.append(Paragraph(pdf_text(empty), styles["normal"]))
        for signal in chosen:
            story.append(
                Paragraph(
                    pdf_text(f"• {signal.competence.code} {signal.competence.title}"),
                    styles["normal"],
                )
            )
    story += [Spacer(1, 5 * mm), _verification_block(attempt, styles, colour)]
    document.build(story)
    return buffer.getvalue()


def _verification_block(attempt: Attempt, styles: dict, colour: colors.Color) -> Table:
    code = verification_for(attempt).code
    url = verification_url(code)
    text = [
        Paragraph(_("Vérifier ce résultat"), styles["h2"]),
        Paragraph(
            pdf_text(
                _(
                    "Code de vérification : %(code)s. Scannez le QR code ou ouvrez cette "
                    "adresse pour confirmer ce résultat :"
                )
                % {"code": grouped(code)}
            ),
            styles["normal"],
        ),
        Paragraph(pdf_text(url), styles["small"]),
    ]
    return verification_block(text, url, colour)
