"""The public page that confirms a certificate: what it shows, and the same 404 for every
code it cannot confirm."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.accounts.services import erase_user
from palier.certification import verification_views
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db
LEVELS = {"D1": {"level": 3, "probability": 0.9312}, "D4": {"level": 2, "probability": 0.97}}


@pytest.fixture
def certificate(framework):
    centre = make_centre(make_organisation("Centre hospitalier de Vienne"))
    session = make_session(centre, framework, address="3 quai Riondet, Vienne")
    holder = make_user("camille.durand@example.org", first_name="Camille", last_name="Durand")
    return make_certificate(make_candidate(session, holder), levels=LEVELS, code="P-7KQM4XTD")


def page(client, code, **extra):
    return client.get(f"/verifier/{code}", **extra)


def content(response) -> str:
    """The page's main content (the header's links name the requested address)."""
    return re.search(r"<main.*</main>", response.content.decode(), re.DOTALL).group(0)


def test_a_valid_code_shows_the_holder_levels_date_and_status_to_anyone(client, certificate):
    response = page(client, certificate.code)
    text = response.content.decode()
    assert response.status_code == 200
    assert "Camille Durand" in text and "Valide" in text
    assert "Niveau 3 sur 5" in text and "Données de santé" in text
    assert "Aucun niveau certifié" in text  # areas without a certified level
    assert "7 décembre 2026" in text or "décembre" in text
    assert response["X-Robots-Tag"] == "noindex"


def test_the_page_shows_nothing_else_about_the_holder(client, certificate):
    text = page(client, certificate.code).content.decode()
    assert "camille.durand@example.org" not in text and "@" not in content(
        page(client, certificate.code)
    )
    assert "Centre hospitalier de Vienne" not in text and "quai Riondet" not in text
    assert "93" not in text  # the probabilities stay on the certificate


def test_a_holder_name_that_is_an_e_mail_address_is_not_published(client, certificate):
    certificate.holder_name = "camille.durand@example.org"
    certificate.save()
    assert "camille.durand" not in page(client, certificate.code).content.decode()


@pytest.mark.parametrize(
    "typed", ["P-7KQM4XTD/", "p-7kqm4xtd", "P7KQM4XTD", "7KQM4XTD", "P-7KQM-4XTD", "p 7kqm 4xtd"]
)
def test_the_code_may_be_typed_in_any_case_with_or_without_dashes_and_slash(
    client, certificate, typed
):
    response = page(client, typed)
    assert response.status_code == 200 and "Camille Durand" in response.content.decode()


def test_a_revoked_certificate_says_revoked_and_when_but_not_why(client, certificate):
    certificate.revoked_at = timezone.now()
    certificate.revocation_reason = "Fraude constatée après la session"
    certificate.save()
    text = page(client, certificate.code).content.decode()
    assert "Révoqué le" in text and "n'est plus valable" in text
    assert "Valide" not in text and "Fraude" not in text


def test_unknown_and_malformed_codes_get_the_same_404_page(client, certificate):
    unknown = page(client, "P-7KQM4XTE")
    malformed = page(client, "not-a-code")
    assert unknown.status_code == malformed.status_code == 404
    assert content(unknown) == content(malformed)
    assert "Aucun certificat ne correspond à ce code" in unknown.content.decode()
    assert unknown.templates[0].name == malformed.templates[0].name == "certification/verify.html"


def test_an_erased_holder_s_certificate_answers_404(client, certificate):
    erase_user(certificate.candidate.user)
    response = page(client, certificate.code)
    assert response.status_code == 404
    assert content(response) == content(page(client, "P-7KQM4XTE"))


def test_lookups_are_limited_per_client_address(client, certificate):
    for _ in range(verification_views.LOOKUPS_PER_HOUR):
        page(client, "P-7KQM4XTE")
    limited = page(client, certificate.code)
    assert limited.status_code == 429
    assert "Trop de vérifications" in limited.content.decode()
    assert "Camille Durand" not in limited.content.decode()
    assert page(client, certificate.code, REMOTE_ADDR="10.0.0.9").status_code == 200


def test_the_form_leads_to_the_certificate_page(client, certificate):
    response = client.get("/verifier/", {"code": " p-7kqm 4xtd "})
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "certificate_verification:verify", args=[certificate.code]
    )
    assert client.get(response["Location"]).status_code == 200


def test_the_form_page_asks_for_a_code_and_explains_an_empty_one(client):
    blank = client.get("/verifier/")
    assert blank.status_code == 200 and 'name="code"' in blank.content.decode()
    empty = client.get("/verifier/", {"code": ""})
    assert empty.status_code == 200 and 'aria-invalid="true"' in empty.content.decode()


def test_a_malformed_code_typed_in_the_form_gets_the_same_404(client, certificate):
    typed = client.get("/verifier/", {"code": "ABC"})
    assert typed.status_code == 404
    assert "Aucun certificat ne correspond à ce code" in typed.content.decode()


def test_the_page_is_in_english_under_en(client, certificate):
    text = client.get(f"/en/verifier/{certificate.code}").content.decode()
    assert "Health data" in text and "Données de santé" not in text


def test_the_page_refuses_writes(client, certificate):
    assert client.post(f"/verifier/{certificate.code}").status_code == 405


def test_the_page_reads_a_fixed_number_of_rows(client, certificate, django_assert_max_num_queries):
    # The throttle (3 and its savepoints), the certificate, the areas and their levels.
    with django_assert_max_num_queries(8):
        assert page(client, certificate.code).status_code == 200
