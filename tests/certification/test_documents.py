"""The certificate, the attendance sheet and the session report, read back as text."""

import io
import re

import pytest
import segno
from django.test import RequestFactory
from django.utils import timezone
from pypdf import PdfReader

from palier.assessments.services import end_attempt, record_answer, start_certification_attempt
from palier.certification.document_views import certificate_download
from palier.certification.documents import (
    attendance_sheet_pdf,
    certificate_pdf,
    session_report_pdf,
    verification_url,
)
from palier.certification.models import Alert, Candidate, Incident, Session
from palier.frameworks.models import Level
from tests.assessments.conftest import right_answer
from tests.certification.factories import (
    estimated_bank,
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db
LEVELS = {"D1": {"level": 3, "probability": 0.9312}, "D2": {"level": None, "probability": 0.41}}


def text_of(document: bytes) -> str:
    """The document's text, runs of spaces and line breaks (cells wrap) as one space."""
    reader = PdfReader(io.BytesIO(document))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def drawn_squares(document: bytes) -> int:
    reader = PdfReader(io.BytesIO(document))
    return sum(page.get_contents().get_data().count(b" re") for page in reader.pages)


@pytest.fixture
def session(framework):
    centre = make_centre(make_organisation("Centre hospitalier de Vienne"))
    return make_session(centre, framework, room="Salle Pasteur", address="3 quai Riondet, Vienne")


@pytest.fixture
def certificate(session):
    holder = make_user(first_name="Camille", last_name="Durand")
    return make_certificate(make_candidate(session, holder), levels=LEVELS)


def test_the_certificate_names_the_holder_levels_centre_and_code_in_french(certificate):
    text = text_of(certificate_pdf(certificate, "fr"))
    label = Level.objects.get(
        area__framework=certificate.candidate.session.framework, area__code="D1", rank=3
    ).label_fr
    assert "Certificat de compétences numériques en santé" in text
    assert "Camille Durand" in text
    assert f"Niveau 3 sur 5 — {label}" in text and "Données de santé" in text
    assert "Aucun niveau certifié" in text  # D2 and the areas without an entry
    assert "93" in text and "41" not in text  # only the certified level's probability
    assert "Centre hospitalier de Vienne, 3 quai Riondet, Vienne" in text
    assert certificate.framework_version in text and certificate.code in text
    assert f"Vérifiable sur {verification_url(certificate.code)}" in text
    assert verification_url(certificate.code).endswith(f"/verifier/{certificate.code}")
    assert "RÉVOQUÉ" not in text and "Calibration de démonstration" not in text


def test_the_certificate_carries_the_qr_code_of_its_verification_page(certificate):
    dark = sum(
        row.count(1) for row in segno.make(verification_url(certificate.code), error="m").matrix
    )
    assert drawn_squares(certificate_pdf(certificate, "fr")) >= dark


def test_the_certificate_is_in_english_for_an_english_reader(certificate):
    text = text_of(certificate_pdf(certificate, "en"))
    assert "Health data" in text and "Données de santé" not in text
    assert timezone.localtime(certificate.issued_at).strftime("%B") in text  # e.g. "December"


def test_a_revoked_certificate_says_so_across_the_page(certificate):
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = "Fraude constatée après la session"
    certificate.save()
    text = text_of(certificate_pdf(certificate, "fr"))
    assert "RÉVOQUÉ" in text and "Révoqué le" in text
    assert "Fraude" not in text


def test_a_certificate_scored_with_a_demo_calibration_says_so(framework, session, certificate):
    estimated_bank(framework)
    candidate = certificate.candidate
    candidate.attempt = start_certification_attempt(candidate.user, framework, screen_reader=False)
    candidate.save()
    assert "Calibration de démonstration" in text_of(certificate_pdf(certificate, "fr"))


def test_the_attendance_sheet_lists_every_candidate_by_name_without_the_access_code(session):
    for first, last in [("Zoé", "Martin"), ("Hugo", "Bernard"), ("Inès", "Petit")]:
        make_candidate(session, make_user(first_name=first, last_name=last))
    make_candidate(
        session,
        make_user(first_name="Léa", last_name="Dubois"),
        extra_time_percent=33,
        screen_reader=True,
    )
    text = text_of(attendance_sheet_pdf(session, "fr"))
    names = ["BERNARD Hugo", "DUBOIS Léa", "MARTIN Zoé", "PETIT Inès"]
    assert all(name in text for name in names)
    assert [text.index(name) for name in names] == sorted(text.index(name) for name in names)
    assert "33 % de temps en plus" in text and "lecteur d'écran" in text
    assert "Salle Pasteur" in text and "3 quai Riondet, Vienne" in text
    assert session.access_code not in text
    assert "Candidats inscrits : 4" in text


def test_the_session_report_counts_candidates_and_lists_incidents_alerts_and_closure(
    framework, session
):
    estimated_bank(framework)
    invigilator = make_user(first_name="Paul", last_name="Roux")
    sitting = make_candidate(session, make_user(first_name="Léa", last_name="Dubois"))
    attempt = start_certification_attempt(sitting.user, framework, screen_reader=False)
    for position in (1, 2, 3):
        attempt.refresh_from_db()
        record_answer(attempt, position, right_answer(attempt.current_version))
    Alert.objects.create(
        candidate=sitting,
        position=4,
        item_version=attempt.current_version,
        comment="L'image ne s'affiche pas",
        status=Alert.Status.VALIDATED,
    )
    end_attempt(attempt, "ended_by_invigilator")
    sitting.attempt = attempt
    sitting.status = Candidate.Status.ENDED
    sitting.save()
    make_candidate(session, make_user(first_name="Hugo", last_name="Bernard"), status="absent")
    Incident.objects.create(
        session=session,
        candidate=sitting,
        category=Incident.Category.TECHNICAL,
        comment="Coupure du réseau pendant cinq minutes",
        created_by=invigilator,
    )
    session.report = "Session calme.\nUne coupure du réseau vers 9 h 40."
    session.status = Session.Status.FINALISED
    session.finalised_at = timezone.now()
    session.finalised_by = invigilator
    session.save()
    text = text_of(session_report_pdf(session, "fr"))
    assert "Rapport de session" in text and "Salle Pasteur" in text
    assert re.search(r"Candidats attendus\s*12", text) and re.search(r"Présents\s*1", text)
    assert re.search(r"arrêtées par le surveillant\s*1", text)
    assert "DUBOIS Léa" in text and "Arrêté par le surveillant" in text and "Absent" in text
    assert "Problème technique" in text and "Coupure du réseau pendant cinq minutes" in text
    assert "Validé : question remplacée" in text and "L'image ne s'affiche pas" in text
    assert "Une coupure du réseau vers 9 h 40." in text
    assert "Session clôturée le" in text and "ROUX Paul" in text
    assert session.access_code not in text
    assert "ended_by_invigilator" not in text


def test_an_empty_session_report_says_there_is_nothing_to_report(session):
    text = text_of(session_report_pdf(session, "en"))
    assert "Aucun incident noté." in text or "No incident" in text
    assert "Session non clôturée." in text or "not finalised" in text


def download(user, candidate_id):
    request = RequestFactory().get(f"/certification/{candidate_id}/certificat.pdf")
    request.user = user
    return certificate_download(request, candidate_id)


def test_the_candidate_downloads_their_certificate_once_published(certificate):
    from django.http import Http404

    candidate = certificate.candidate
    with pytest.raises(Http404):
        download(candidate.user, candidate.pk)  # not published yet
    candidate.published_at = timezone.now()
    candidate.save()
    response = download(candidate.user, candidate.pk)
    assert response["Content-Type"] == "application/pdf"
    assert certificate.code in response["Content-Disposition"]
    assert "Camille Durand" in text_of(response.content)
    with pytest.raises(Http404):
        download(make_user(), candidate.pk)


def test_a_candidate_without_certificate_gets_404(session):
    from django.http import Http404

    candidate = make_candidate(session, published_at=timezone.now())
    with pytest.raises(Http404):
        download(candidate.user, candidate.pk)
