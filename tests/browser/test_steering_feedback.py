"""Steering reads the professionals' opinions and answers a framework proposal, in a real
browser: both themes, 1280 and 390 px, 0 axe violations, no sideways scrolling."""

import os

import pytest
from django.urls import reverse

from palier.frameworks.models import Area, Population
from palier.steering.models import Feedback, FrameworkProposal
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_steering_reads_opinions_and_answers_a_proposal(page, live_server, theme, framework):
    nurses = Population.objects.get(code="soins-infirmiers")
    users = [make_user(first_name="Noémie", last_name="Arnaud") for _ in range(24)]
    Feedback.objects.bulk_create(
        Feedback(
            user=user,
            subject="result",
            subject_ref=str(number),
            usefulness=1 + number % 5,
            difficulty=3,
            clarity=4 + number % 2,
            comment="Noémie : les questions de cybersécurité étaient très concrètes."
            if number % 3 == 0
            else "",
            population=nurses if number % 2 else None,
            status="student",
        )
        for number, user in enumerate(users)
    )
    proposal = FrameworkProposal.objects.create(
        user=users[0],
        area=Area.objects.get(framework=framework, code="D5"),
        proposal="Ajouter la téléexpertise entre pairs.",
        rationale="C'est devenu courant en officine.",
    )
    steering = make_user(f"pilotage.{theme}@example.org", roles=("steering",))
    sign_in(page, live_server, steering.email)
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + reverse("steering_feedback:steering"))
        assert page.get_by_role("heading", name="Répartition des notes").is_visible()
        assert page.locator("svg.dash-chart").count() == 4
        assert "Noémie" not in page.content()
        assert page.get_by_text("[…] : les questions de cybersécurité").first.is_visible()
        assert_accessible(page)
        if viewport is PHONE:
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots = os.environ.get("PALIER_SCREENS_DIR")
        if shots:
            page.screenshot(
                path=f"{shots}/feedback-{theme}-{viewport['width']}.png", full_page=True
            )
    page.get_by_role("link", name="Propositions d'évolution du référentiel").click()
    page.get_by_role("link", name="Proposition du").first.click()
    assert page.get_by_text("un utilisateur").is_visible()
    assert_accessible(page)
    page.locator("label[for=id_decision_0]").click()
    page.get_by_label("Message à l'auteur").fill("Retenue pour la prochaine version.")
    page.get_by_role("button", name="Enregistrer la réponse").click()
    page.wait_for_url(f"**{reverse('steering_feedback:proposal', args=[proposal.pk])}")
    assert page.get_by_text("Réponse enregistrée").is_visible()
    assert_accessible(page)
    proposal.refresh_from_db()
    assert proposal.status == "accepted"
