"""The certification's printed documents (ReportLab, A4, in the colours of the active theme):

- the certificate: holder, certified level per area with its label, date, centre, framework
  version, verification code and QR code to the public page; "Révoqué" across it if revoked;
- the attendance sheet of a session: one row per enrolled candidate with a signature box
  (the session's access code is never printed: the sheet lies on a table in the room);
- the session report: counts, each candidate's status, answers and time used, incidents,
  alerts, the invigilator's report and the finalisation.

Each takes the reader's language ("fr" or "en") and returns the PDF's bytes.
`queries.certificate_areas` reads a certificate's levels for the PDF and the verification page.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from palier.accounts.models import User
from palier.assessments.results import percent_text, synthetic_calibration
from palier.certification.models import Alert, Candidate, Certificate, Session
from palier.certification.queries import certificate_areas
from palier.core import pdf
from palier.engine.score import CERTIFICATION_THRESHOLD

SIGNATURE_HEIGHT = 14 * mm
SECONDS_PER_MINUTE = 60


def verification_url(code: str) -> str:
    """The public page that confirms a certificate (its QR code's target)."""
    with translation.override("fr"):
        path = reverse("certificate_verification:verify", args=[code])
    return settings.BASE_URL + path


def _local(value: datetime, format_name: str = "DATE_FORMAT") -> str:
    """A moment in local time, in the active language's `format_name` (a format setting)."""
    return date_format(timezone.localtime(value), format_name)


def _person(user: User | None) -> str:
    """A person as a list of names shows them: "DURAND Camille" (the e-mail without names)."""
    if user is None:
        return "—"
    name = f"{user.last_name.strip().upper()} {user.first_name.strip()}".strip()
    return name or user.email


def _name_order(candidate: Candidate) -> tuple[str, str, str]:
    user = candidate.user
    return (user.last_name.casefold(), user.first_name.casefold(), user.email.casefold())


def _facts(rows: Iterable[tuple[str, str]], style: dict, colour: colors.Color) -> Flowable:
    cells = [[label, pdf.paragraph(value, style["normal"])] for label, value in rows]
    return pdf.table(cells, [50 * mm, pdf.TEXT_WIDTH - 50 * mm], colour, header=False)


def _heading(labels: list[str], style: dict) -> list[Flowable]:
    return [pdf.paragraph(label, style["heading_cell"]) for label in labels]


def _grid(
    header: list[str],
    rows: list[list[str]],
    widths: list[float],
    style: dict,
    colour: colors.Color,
    heights: list[float | None] | None = None,
) -> Flowable:
    """A table with a heading row; `widths` in millimetres."""
    cells = [_heading(header, style)]
    cells += [[pdf.paragraph(value, style["normal"]) for value in row] for row in rows]
    return pdf.table(cells, [width * mm for width in widths], colour, heights=heights)


def _in_language(build: Callable[[object, str], bytes]) -> Callable[[object, str], bytes]:
    """Build the document with `language` active (labels, content, dates)."""

    @functools.wraps(build)
    def in_language(subject: object, language: str) -> bytes:
        with translation.override(language):
            return build(subject, language)

    return in_language


@_in_language
def certificate_pdf(certificate: Certificate, language: str) -> bytes:
    """The certificate, in `language`."""
    candidate = certificate.candidate
    session = candidate.session
    colour = pdf.theme_colour()
    style = pdf.styles(colour)
    title = _("Certificat de compétences numériques en santé")
    story: list = [pdf.paragraph(title, style["title"])]
    if certificate.is_revoked:
        revoked = _("Révoqué le %(date)s : ce certificat n'est plus valable.")
        red = style["notice"].clone("revoked", textColor=colors.HexColor(pdf.STAMP_COLOUR))
        story.append(pdf.paragraph(revoked % {"date": _local(certificate.revoked_at)}, red))
    framework = _("%(title)s, version %(version)s") % {
        "title": session.framework.title,
        "version": certificate.framework_version,
    }
    centre = f"{session.centre.organisation.name}, {session.address}"
    facts = [
        (_("Date de l'épreuve"), date_format(session.date, "DATE_FORMAT")),
        (_("Délivré le"), _local(certificate.issued_at)),
        (_("Centre de certification"), centre),
        (_("Référentiel"), framework),
    ]
    story += [
        pdf.paragraph(_("Délivré à"), style["normal"]),
        pdf.paragraph(certificate.holder_name, style["title"]),
        _facts(facts, style, colour),
        pdf.paragraph(_("Niveaux certifiés"), style["h2"]),
    ]
    rows = [_heading([_("Domaine"), _("Niveau certifié"), _("Probabilité")], style)]
    for row in certificate_areas(certificate):
        probability = "—" if row.probability is None else percent_text(row.probability)
        rows.append(
            [
                pdf.paragraph(f"{row.area.number}. {row.area.title}", style["normal"]),
                pdf.paragraph(row.level_text, style["normal"]),
                pdf.paragraph(probability, style["small"]),
            ]
        )
    notes = [
        _(
            "Un niveau est certifié dans un domaine quand la probabilité que le niveau du "
            "candidat soit au moins celui-là atteint %(percent)s, au vu de ses réponses ; la "
            "colonne « Probabilité » donne cette probabilité."
        )
        % {"percent": percent_text(CERTIFICATION_THRESHOLD)}
    ]
    if candidate.attempt is not None and synthetic_calibration(candidate.attempt):
        notes.append(
            _(
                "Calibration de démonstration, estimée sur des données simulées : ces "
                "niveaux et leurs probabilités sont seulement indicatifs."
            )
        )
    story += [
        pdf.table(rows, [68 * mm, 74 * mm, pdf.TEXT_WIDTH - 142 * mm], colour),
        Spacer(1, 2 * mm),
    ]
    story += [pdf.paragraph(note, style["small"]) for note in notes]
    url = verification_url(certificate.code)
    verify = [
        pdf.paragraph(_("Vérifier ce certificat"), style["h2"]),
        pdf.paragraph(
            _("Code de vérification : %(code)s") % {"code": certificate.code}, style["normal"]
        ),
        pdf.paragraph(_("Vérifiable sur %(url)s") % {"url": url}, style["small"]),
    ]
    story += [Spacer(1, 6 * mm), pdf.verification_block(verify, url, colour)]
    stamp = _("RÉVOQUÉ") if certificate.is_revoked else ""
    return pdf.render(story, title, "Palier", language, stamp)


def _session_facts(session: Session, style: dict, colour: colors.Color) -> Flowable:
    return _facts(
        [
            (_("Centre de certification"), session.centre.organisation.name),
            (_("Date"), date_format(session.date, "DATE_FORMAT")),
            (_("Heure de début"), time_format(session.start_time, "TIME_FORMAT")),
            (_("Salle"), session.room),
            (_("Adresse"), session.address),
            (_("Durée de l'épreuve"), _("%(minutes)s min") % {"minutes": session.duration_minutes}),
        ],
        style,
        colour,
    )


@_in_language
def attendance_sheet_pdf(session: Session, language: str) -> bytes:
    """The attendance sheet of `session`, in `language`: candidates sorted by name."""
    colour = pdf.theme_colour()
    style = pdf.styles(colour)
    title = _("Feuille d'émargement")
    candidates = sorted(session.candidates.select_related("user"), key=_name_order)
    invigilators = ", ".join(sorted(_person(user) for user in session.invigilators.all()))
    rows = [
        [
            str(number),
            _person(candidate.user),
            _("%(percent)s %% de temps en plus") % {"percent": candidate.extra_time_percent}
            if candidate.extra_time_percent
            else "—",
            _("Questions compatibles lecteur d'écran") if candidate.screen_reader else "—",
            "",
        ]
        for number, candidate in enumerate(candidates, start=1)
    ]
    sheet = _grid(
        [_("N°"), _("Nom"), _("Temps supplémentaire"), _("Aménagements"), _("Signature")],
        rows,
        [10, 52, 34, 38, pdf.TEXT_WIDTH / mm - 134],
        style,
        colour,
        heights=[None] + [SIGNATURE_HEIGHT] * len(candidates),
    )
    enrolled = _("Candidats inscrits : %(count)s. Surveillants : %(names)s.") % {
        "count": len(candidates),
        "names": invigilators or "—",
    }
    story = [
        pdf.paragraph(title, style["title"]),
        _session_facts(session, style, colour),
        Spacer(1, 2 * mm),
        pdf.paragraph(enrolled, style["normal"]),
        Spacer(1, 3 * mm),
        sheet,
        Spacer(1, 8 * mm),
        pdf.paragraph(_("Signature du surveillant :"), style["normal"]),
    ]
    return pdf.render(story, title, session.centre.organisation.name, language)


def _was_present(candidate: Candidate) -> bool:
    """Present as confirmed at finalisation; before it, as seen arriving in the room."""
    if candidate.present_confirmed is not None:
        return candidate.present_confirmed
    return candidate.status not in (Candidate.Status.EXPECTED, Candidate.Status.ABSENT)


def _time_used(candidate: Candidate) -> str:
    attempt = candidate.attempt
    end = attempt and (attempt.finished_at or candidate.ended_at)
    if not end:
        return "—"
    minutes = round((end - attempt.started_at).total_seconds() / SECONDS_PER_MINUTE)
    return _("%(minutes)s min") % {"minutes": minutes}


@_in_language
def session_report_pdf(session: Session, language: str) -> bytes:
    """The report of `session`, in `language`."""
    colour = pdf.theme_colour()
    style = pdf.styles(colour)
    title = _("Rapport de session")
    candidates = sorted(
        session.candidates.select_related("user", "attempt").annotate(
            answers=Count("attempt__responses")
        ),
        key=_name_order,
    )
    statuses = [candidate.status for candidate in candidates]
    counts = [
        [_("Candidats attendus"), str(session.expected_candidates)],
        [_("Candidats inscrits"), str(len(candidates))],
        [_("Présents"), str(sum(_was_present(candidate) for candidate in candidates))],
        [_("Épreuves terminées"), str(statuses.count(Candidate.Status.FINISHED))],
        [_("Épreuves arrêtées par le surveillant"), str(statuses.count(Candidate.Status.ENDED))],
    ]
    candidate_rows = [
        [
            _person(candidate.user),
            candidate.get_status_display(),
            str(candidate.answers) if candidate.attempt_id else "—",
            _time_used(candidate),
        ]
        for candidate in candidates
    ]
    incident_rows = [
        [
            _local(incident.created_at, "TIME_FORMAT"),
            incident.get_category_display(),
            _person(incident.candidate.user) if incident.candidate else "—",
            incident.comment,
        ]
        for incident in session.incidents.select_related("candidate__user")
    ]
    alert_rows = [
        [
            _local(alert.raised_at, "TIME_FORMAT"),
            _person(alert.candidate.user),
            str(alert.position),
            alert.get_status_display(),
            alert.comment or "—",
        ]
        for alert in Alert.objects.filter(candidate__session=session).select_related(
            "candidate__user"
        )
    ]
    sections = [
        (
            _("Candidats"),
            [_("Nom"), _("Statut"), _("Réponses"), _("Temps utilisé")],
            candidate_rows,
            [60, 56, 26, 32],
            _("Aucun candidat inscrit."),
        ),
        (
            _("Incidents"),
            [_("Heure"), _("Catégorie"), _("Candidat"), _("Commentaire")],
            incident_rows,
            [16, 34, 40, 84],
            _("Aucun incident noté."),
        ),
        (
            _("Signalements en séance"),
            [_("Heure"), _("Candidat"), _("Question n°"), _("Décision"), _("Commentaire")],
            alert_rows,
            [16, 40, 20, 40, 58],
            _("Aucun signalement."),
        ),
    ]
    story: list = [
        pdf.paragraph(title, style["title"]),
        _session_facts(session, style, colour),
        pdf.paragraph(_("Effectifs"), style["h2"]),
        pdf.table(counts, [90 * mm, 20 * mm], colour, header=False),
    ]
    for heading, header, rows, widths, empty in sections:
        story.append(pdf.paragraph(heading, style["h2"]))
        story.append(
            _grid(header, rows, widths, style, colour)
            if rows
            else pdf.paragraph(empty, style["normal"])
        )
    story.append(pdf.paragraph(_("Rapport du surveillant"), style["h2"]))
    for line in (session.report.strip() or _("Aucun rapport rédigé.")).splitlines():
        story.append(pdf.paragraph(line, style["normal"]))
    story.append(pdf.paragraph(_("Clôture de la session"), style["h2"]))
    if session.finalised_at:
        closed = _("Session clôturée le %(date)s par %(name)s.") % {
            "date": _local(session.finalised_at, "DATETIME_FORMAT"),
            "name": _person(session.finalised_by),
        }
    else:
        closed = _("Session non clôturée.")
    story.append(pdf.paragraph(closed, style["normal"]))
    return pdf.render(story, title, session.centre.organisation.name, language)
