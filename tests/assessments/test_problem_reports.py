"""Problem reports: only on a question the learner was shown, one open report per question,
a limited number per hour; through the API and the question page."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from palier.assessments.models import Attempt
from palier.items.models import ItemVersion, ProblemReport
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def start(client) -> Attempt:
    response = client.post("/api/v1/assessments", "{}", content_type="application/json")
    assert response.status_code == 201, response.content
    return Attempt.objects.get(pk=response.json()["id"])


def report(client, version_id: int, category: str = "unclear"):
    return client.post(
        f"/api/v1/items/versions/{version_id}/reports",
        json.dumps({"category": category, "comment": "Deux réponses possibles ?"}),
        content_type="application/json",
    )


def answer_current(client, attempt: Attempt) -> None:
    response = client.post(
        f"/api/v1/assessments/{attempt.pk}/answers",
        json.dumps({"position": attempt.current_position, "response": None}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_a_learner_reports_the_question_in_progress_and_one_already_answered(client, learner):
    attempt = start(client)
    first = attempt.current_version
    answer_current(client, attempt)
    attempt.refresh_from_db()
    assert attempt.current_version != first
    for version in (attempt.current_version, first):
        response = report(client, version.pk)
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "open"
    assert ProblemReport.objects.filter(reporter=learner).count() == 2


def test_a_question_never_shown_to_the_learner_is_a_404_like_a_missing_one(client, learner):
    attempt = start(client)
    never_shown = ItemVersion.objects.exclude(pk=attempt.current_version_id).first()
    missing = ItemVersion.objects.order_by("-pk").first().pk + 1
    for version_id in (never_shown.pk, missing):
        response = report(client, version_id)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert ProblemReport.objects.count() == 0


def test_a_question_shown_to_someone_else_is_a_404(client, learner):
    attempt = start(client)
    client.force_login(make_user())
    assert report(client, attempt.current_version_id).status_code == 404
    assert ProblemReport.objects.count() == 0


def test_an_unknown_category_or_a_second_open_report_on_a_question_is_refused(client, learner):
    attempt = start(client)
    assert report(client, attempt.current_version_id, "boring").status_code == 422
    assert report(client, attempt.current_version_id).status_code == 201
    again = report(client, attempt.current_version_id, "typo")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_report"
    assert ProblemReport.objects.count() == 1


def test_reports_past_the_hourly_limit_are_a_429(client, learner, settings):
    settings.PROBLEM_REPORTS_PER_HOUR = 2
    attempt = start(client)
    shown = [attempt.current_version_id]
    for _question in range(2):
        answer_current(client, attempt)
        attempt.refresh_from_db()
        shown.append(attempt.current_version_id)
    assert [report(client, pk).status_code for pk in shown[:2]] == [201, 201]
    refused = report(client, shown[2])
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_reports"
    assert ProblemReport.objects.count() == 2


def test_the_question_page_says_why_a_report_is_refused(client, learner, settings):
    settings.PROBLEM_REPORTS_PER_HOUR = 1
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    url = reverse("assessments:report", args=[attempt.pk])
    client.post(url, {"category": "unclear"})
    page = client.post(url, {"category": "typo"}, follow=True).content.decode()
    assert "déjà signalé un problème sur cette question" in page
    ProblemReport.objects.update(status=ProblemReport.Status.RESOLVED)
    page = client.post(url, {"category": "typo"}, follow=True).content.decode()
    assert "Trop de signalements en une heure" in page
    assert ProblemReport.objects.count() == 1
