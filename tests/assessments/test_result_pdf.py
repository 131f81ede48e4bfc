"""The result PDF, read back as text in both languages, and its verification code."""

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from palier.accounts.services import erase_user
from palier.assessments import verification
from palier.assessments.models import ResultVerification
from palier.assessments.services import start_attempt
from tests.assessments.test_services import alternate, play
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished(client, seeded):
    user = make_user(first_name="Camille", last_name="Durand")
    client.force_login(user)
    attempt = start_attempt(user, ["D1", "D2"])
    play(attempt, alternate)
    attempt.refresh_from_db()
    return attempt


def pdf_text(client, url):
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_pdf_names_the_learner_levels_and_verification_in_french(client, finished):
    text = pdf_text(client, reverse("assessments:result_pdf", args=[finished.pk]))
    assert "Résultat de positionnement, non certifiant." in text
    assert "Camille Durand" in text and "Niveau par domaine" in text
    assert "Données de santé" in text and "Cybersécurité en santé" in text
    code = ResultVerification.objects.get(attempt=finished).code
    assert verification.grouped(code) in text
    assert f"/positionnement/verification/{verification.grouped(code)}/" in text.replace("\n", "")


def test_the_pdf_is_in_english_on_english_pages(client, finished):
    text = pdf_text(client, f"/en/positionnement/{finished.pk}/resultat.pdf")
    assert "Health data" in text and "Données de santé" not in text


def test_the_code_is_created_once_and_is_hard_to_guess(client, finished):
    url = reverse("assessments:result_pdf", args=[finished.pk])
    client.get(url)
    client.get(url)
    stored = ResultVerification.objects.get(attempt=finished)
    assert len(stored.code) == verification.CODE_LENGTH
    assert set(stored.code) <= set(verification.ALPHABET) and not set("01OIL") & set(stored.code)
    assert re.fullmatch(r"\w{4}-\w{4}-\w{4}", verification.grouped(stored.code))


def test_the_code_leads_to_a_public_page_confirming_the_result(client, finished):
    client.get(reverse("assessments:result_pdf", args=[finished.pk]))
    code = verification.grouped(ResultVerification.objects.get(attempt=finished).code)
    client.logout()
    page = client.get(reverse("assessments:verify", args=[code.lower()]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Résultat de positionnement, non certifiant." in text
    assert "Camille D." in text and "Durand" not in text
    assert "Données de santé" in text


def test_an_unknown_code_gets_a_clear_404(client, finished):
    page = client.get(reverse("assessments:verify", args=["ABCD-EFGH-JKMN"]))
    assert page.status_code == 404
    assert "Aucun résultat ne correspond à ce code" in page.content.decode()


def test_an_erased_account_revokes_its_codes(client, finished):
    client.get(reverse("assessments:result_pdf", args=[finished.pk]))
    code = ResultVerification.objects.get(attempt=finished).code
    erase_user(finished.user)
    assert client.get(reverse("assessments:verify", args=[code])).status_code == 404


def test_lookups_are_limited_per_client_address(client, finished, settings):
    for _ in range(verification.LOOKUPS_PER_HOUR):
        client.get(reverse("assessments:verify", args=["ABCD-EFGH-JKMN"]))
    page = client.get(reverse("assessments:verify", args=["ABCD-EFGH-JKMN"]))
    assert page.status_code == 429
    other = client.get(
        reverse("assessments:verify", args=["ABCD-EFGH-JKMN"]), REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 404
