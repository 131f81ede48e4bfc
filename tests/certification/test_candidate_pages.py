"""The candidate's pages and API, through the test client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.assessments.models import Attempt, Response
from palier.certification import services
from palier.certification.models import Candidate
from tests.assessments.conftest import right_answer
from tests.certification.factories import (
    estimated_bank,
    make_candidate,
    make_centre,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(framework):
    estimated_bank(framework)
    return make_session(make_centre(), framework)


@pytest.fixture
def candidate(session, client):
    candidate = make_candidate(session)
    client.force_login(candidate.user)
    return candidate


def test_a_wrong_code_is_a_form_error(candidate, client):
    response = client.post("/certification/rejoindre/", {"code": "ZZZZ99"})
    assert response.status_code == 404
    assert "aucune session ouverte" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.EXPECTED


def test_the_candidate_journey_on_pages(candidate, session, client):
    invigilator = make_user(roles=("invigilator",))
    response = client.post("/certification/rejoindre/", {"code": session.access_code})
    assert response.status_code == 302
    page = client.get(f"/certification/{candidate.pk}/").content.decode()
    assert "En attente du surveillant" in page
    assert client.get(f"/certification/{candidate.pk}/etat/").json()["status"] == "present"
    services.authorise(candidate, invigilator)
    assert "Commencer l" in client.get(f"/certification/{candidate.pk}/").content.decode()
    client.post(f"/certification/{candidate.pk}/commencer/")
    page = client.get(f"/certification/{candidate.pk}/").content.decode()
    assert "Question 1 sur 32 au plus" in page
    assert "Temps restant pour l" in page
    attempt = Attempt.objects.get(certification_candidate=candidate)
    client.post(
        f"/certification/{candidate.pk}/",
        {"position": "1", "dont_know": "1"},
    )
    assert Response.objects.filter(attempt=attempt).count() == 1
    client.post(f"/certification/{candidate.pk}/signaler/", {"comment": "Image absente"})
    page = client.get(f"/certification/{candidate.pk}/").content.decode()
    assert "Question suspendue" in page
    assert client.get(f"/certification/{candidate.pk}/etat/").json()["question_frozen"]


def test_another_person_reaches_no_candidacy(candidate, client):
    client.force_login(make_user())
    assert client.get(f"/certification/{candidate.pk}/").status_code == 404
    assert client.get(f"/certification/{candidate.pk}/etat/").status_code == 404
    assert client.post(f"/certification/{candidate.pk}/commencer/").status_code == 404


def test_the_candidate_api(candidate, session, client):
    headers = {"HTTP_X_PALIER_DEVICE": "api-device-1"}
    joined = client.post(
        "/api/v1/certification/join",
        {"code": session.access_code},
        content_type="application/json",
        **headers,
    )
    assert joined.status_code == 200 and joined.json()["status"] == "present"
    url = f"/api/v1/certification/candidacies/{candidate.pk}"
    refused = client.post(f"{url}/start", **headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "not_authorised"
    services.authorise(candidate, make_user())
    state = client.post(f"{url}/start", **headers).json()
    assert state["status"] == "in_progress" and state["position"] == 1
    assert state["question"] and "correct" not in state["question"]
    version = Attempt.objects.get(certification_candidate=candidate).current_version
    answered = client.post(
        f"{url}/answers",
        {"position": 1, "response": right_answer(version)},
        content_type="application/json",
        **headers,
    )
    assert answered.status_code == 200 and answered.json()["position"] == 2
    other_device = client.post(
        f"{url}/answers",
        {"position": 2, "response": None},
        content_type="application/json",
        HTTP_X_PALIER_DEVICE="api-device-2",
    )
    assert other_device.status_code == 409
    Candidate.objects.filter(pk=candidate.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    late = client.post(
        f"{url}/answers",
        {"position": 2, "response": None},
        content_type="application/json",
        **headers,
    )
    assert (late.status_code, late.json()["error"]["code"]) == (409, "time_up")
    assert Response.objects.filter(attempt__certification_candidate=candidate).count() == 1
    assert client.get(f"{url}/result").status_code == 409
    missing_device = client.get(url)
    assert missing_device.status_code == 422
