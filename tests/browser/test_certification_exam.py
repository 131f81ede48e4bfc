"""Exam day in two browsers at once: an invigilator and a candidate.

The candidate enters the code, the invigilator authorises, the candidate answers, raises an
alert, the invigilator validates it (the question is replaced), the candidate finishes, the
invigilator finalises and publishes; the candidate downloads the PDF and the credential; the
public page verifies the code. axe finds no violation on any page, in both themes.
"""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from palier.assessments.models import Attempt
from palier.certification import services
from palier.certification.models import Candidate
from palier.organisations.choices import MembershipRole
from palier.organisations.services import add_member
from tests.assessments.conftest import right_answer
from tests.browser.conftest import assert_accessible, sign_in
from tests.browser.test_positioning_test import answer_in_the_page
from tests.certification.factories import (
    INVIGILATOR_PASSWORD,
    estimated_bank,
    make_candidate,
    make_centre,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_invigilator_and_a_candidate_run_a_certification_session(
    browser, live_server, theme, framework, tmp_path
):
    estimated_bank(framework)
    centre = make_centre()
    session = make_session(centre, framework)
    invigilator = make_user(
        f"lea.{theme}@example.org", roles=("invigilator",), first_name="Léa", last_name="Petit"
    )
    add_member(centre.organisation, invigilator, MembershipRole.ADMIN)
    session.invigilators.add(invigilator)
    person = make_user(f"sami.{theme}@example.org", first_name="Sami", last_name="Haddad")
    candidate = make_candidate(session, user=person)

    staff_context = browser.new_context(locale="fr-FR")
    candidate_context = browser.new_context(locale="fr-FR", accept_downloads=True)
    public_context = browser.new_context(locale="fr-FR")
    try:
        staff = staff_context.new_page()
        learner = candidate_context.new_page()
        for page in (staff, learner):
            page.set_default_timeout(20_000)
        supervision = f"{live_server.url}/certification/surveillance/{session.pk}/"

        # The invigilator opens the supervision page with the session's password.
        sign_in(staff, live_server, invigilator.email)
        staff.goto(supervision)
        staff.get_by_label("Mot de passe de surveillance").fill(INVIGILATOR_PASSWORD)
        staff.get_by_role("button", name="Ouvrir la surveillance").click()
        staff.wait_for_url(supervision)
        assert_accessible(staff)

        # The candidate enters the code and waits.
        sign_in(learner, live_server, person.email)
        learner.goto(f"{live_server.url}/certification/")
        assert_accessible(learner)
        learner.get_by_label("Code de la session").fill(session.access_code.lower())
        learner.get_by_role("button", name="Entrer dans la session").click()
        learner.wait_for_url(f"**/certification/{candidate.pk}/")
        assert learner.get_by_role("heading", name="En attente du surveillant").is_visible()
        assert_accessible(learner)

        # The live list shows the candidate (refreshed in place); the invigilator authorises.
        authorise = staff.get_by_role("button", name=re.compile(r"^Autoriser"))
        authorise.wait_for()
        assert_accessible(staff)
        authorise.click()
        staff.wait_for_load_state()

        # The candidate's page notices by itself, then the test starts.
        start = learner.get_by_role("button", name="Commencer l'épreuve")
        start.wait_for()
        assert_accessible(learner)
        start.click()
        learner.get_by_role("heading", name="Question 1 sur 32 au plus").wait_for()
        assert_accessible(learner)
        learner.set_viewport_size(PHONE)
        assert_accessible(learner)
        no_sideways_scroll(learner)
        learner.set_viewport_size({"width": 1280, "height": 900})
        attempt = Attempt.objects.get(certification_candidate=candidate)
        answer_in_the_page(learner, attempt.current_version, 1)
        learner.get_by_role("heading", name="Question 2 sur 32 au plus").wait_for()

        # An alert freezes question 2 until the invigilator validates it.
        attempt.refresh_from_db()
        frozen = attempt.current_version_id
        learner.get_by_text("Signaler un problème sur cette question").click()
        learner.get_by_label("Ce qui ne va pas (facultatif)").fill("L'image ne s'affiche pas")
        learner.get_by_role("button", name="Signaler au surveillant").click()
        learner.get_by_text("Question suspendue").wait_for()
        assert_accessible(learner)
        validate = staff.get_by_role("button", name=re.compile(r"^Valider le signalement"))
        validate.wait_for()
        assert_accessible(staff)
        validate.click()
        staff.wait_for_load_state()
        learner.get_by_role("button", name="Valider ma réponse").wait_for()
        attempt.refresh_from_db()
        assert attempt.current_position == 2 and attempt.current_version_id != frozen

        # The other answers (the test has 32), then the last one in the page.
        device = Candidate.objects.get(pk=candidate.pk).device_token
        while attempt.current_position < 32:
            services.answer(
                candidate, device, attempt.current_position, right_answer(attempt.current_version)
            )
            attempt.refresh_from_db()
        learner.reload()
        answer_in_the_page(learner, attempt.current_version, 32)
        learner.get_by_text("Votre épreuve est terminée").wait_for()
        assert_accessible(learner)

        # The invigilator finalises, then publishes from the jury page.
        staff.goto(supervision)
        staff.get_by_label("Rapport de session").fill("Session sans incident notable.")
        staff.get_by_role("button", name="Clôturer la session").click()
        staff.wait_for_load_state()
        assert_accessible(staff)
        staff.goto(f"{supervision}jury/")
        assert_accessible(staff)
        staff.get_by_role("button", name="Publier les résultats").click()
        staff.wait_for_load_state()

        # The candidate sees the result and downloads the certificate and the credential.
        learner.reload()
        learner.get_by_role("heading", name="Mon certificat").wait_for()
        assert_accessible(learner)
        certificate = Candidate.objects.get(pk=candidate.pk).certificate
        with learner.expect_download() as pdf:
            learner.get_by_role("link", name=re.compile("certificat", re.I)).first.click()
        pdf_path = tmp_path / "certificat.pdf"
        pdf.value.save_as(pdf_path)
        text = "".join(page.extract_text() for page in PdfReader(pdf_path).pages)
        assert certificate.code in text and "Sami Haddad" in text
        with learner.expect_download() as credential:
            learner.get_by_role("link", name=re.compile("Open Badges", re.I)).click()
        credential_path = tmp_path / "credential.json"
        credential.value.save_as(credential_path)
        assert credential_path.read_bytes().strip()
        if credential_path.read_text().lstrip().startswith("{"):
            assert json.loads(credential_path.read_text())

        # Anyone verifies the code on the public page.
        public = public_context.new_page()
        public.goto(f"{live_server.url}/verifier/{certificate.code}")
        assert public.get_by_text("Sami Haddad").is_visible()
        assert public.get_by_text(re.compile("Valide")).first.is_visible()
        assert_accessible(public)
    finally:
        for context in (staff_context, candidate_context, public_context):
            context.close()
