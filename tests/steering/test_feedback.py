"""The short opinion after a result, a certification or a completed module: only on one's
own subject, optional, replaced by a second answer, validated, limited per person."""

import pytest
from django.urls import reverse
from django.utils import timezone

from palier.frameworks.models import Population
from palier.steering import feedback_services
from palier.steering.models import Feedback
from palier.training.models import PlanEntry
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_organisation, make_user
from tests.training.conftest import make_module
from tests.training.test_recommend import finished_attempt

pytestmark = pytest.mark.django_db

ANSWER = {"usefulness": "4", "difficulty": "2", "clarity": "5", "comment": "Très clair."}


def url(subject, ref):
    return reverse("steering_feedback:feedback", args=[subject, ref])


@pytest.fixture
def learner(client, framework):
    user = make_user(first_name="Aurore", last_name="Delaunay")
    user.profile.population = Population.objects.get(code="soins-infirmiers")
    user.profile.status = "student"
    user.profile.save()
    client.force_login(user)
    return user


@pytest.fixture
def attempt(learner, framework):
    return finished_attempt(learner, framework, {"D1": 2})


def completed_entry(user):
    module = make_module(f"module-{user.pk}", make_organisation(), ["D2.C2.1"])
    return PlanEntry.objects.create(
        user=user, module=module, progress="completed", completed_at=timezone.now()
    )


def published_candidacy(user, framework):
    session = make_session(make_centre(), framework, status="finalised")
    candidate = make_candidate(session, user, status="finished", published_at=timezone.now())
    make_certificate(candidate)
    return candidate


def test_an_answer_is_stored_with_the_population_and_status_of_the_profile(
    client, learner, attempt
):
    page = client.get(url("result", attempt.pk))
    assert page.status_code == 200
    assert "Donner mon avis" in page.text
    response = client.post(url("result", attempt.pk), ANSWER)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:result", args=[attempt.pk])
    feedback = Feedback.objects.get()
    assert (feedback.subject, feedback.subject_ref) == ("result", str(attempt.pk))
    assert (feedback.usefulness, feedback.difficulty, feedback.clarity) == (4, 2, 5)
    assert feedback.population.code == "soins-infirmiers"
    assert feedback.status == "student"


def test_answering_again_replaces_the_first_answer(client, learner, attempt):
    client.post(url("result", attempt.pk), ANSWER)
    page = client.get(url("result", attempt.pk))
    assert "Le renvoyer remplace le précédent" in page.text
    client.post(url("result", str(attempt.pk).upper()), {**ANSWER, "usefulness": "1"})
    feedback = Feedback.objects.get()
    assert feedback.usefulness == 1


def test_another_persons_subjects_are_not_found(client, learner, framework):
    other = make_user()
    for subject, ref in [
        ("result", finished_attempt(other, framework, {"D1": 2}).pk),
        ("module", completed_entry(other).pk),
        ("certification", published_candidacy(other, framework).pk),
    ]:
        assert client.get(url(subject, ref)).status_code == 404
        assert client.post(url(subject, ref), ANSWER).status_code == 404
    assert not Feedback.objects.exists()


def test_unfinished_or_unknown_subjects_are_not_found(client, learner, framework):
    unfinished = finished_attempt(learner, framework, {"D1": 2})
    unfinished.status = "in_progress"
    unfinished.save()
    entry = completed_entry(learner)
    entry.progress = "started"
    entry.save()
    session = make_session(make_centre(), framework)
    unpublished = make_candidate(session, learner, status="finished")
    for subject, ref in [
        ("result", unfinished.pk),
        ("result", "not-a-uuid"),
        ("module", entry.pk),
        ("module", "abc"),
        ("certification", unpublished.pk),
        ("opinion", "1"),
    ]:
        assert client.get(url(subject, ref)).status_code == 404


def test_a_completed_module_and_a_published_certification_take_an_opinion(
    client, learner, framework
):
    entry = completed_entry(learner)
    candidate = published_candidacy(learner, framework)
    plan = client.get(reverse("training:plan"))
    assert url("module", entry.pk) in plan.text
    over = client.get(reverse("certification:candidacy", args=[candidate.pk]))
    assert url("certification", candidate.pk) in over.text
    assert client.post(url("module", entry.pk), ANSWER)["Location"] == reverse("training:plan")
    client.post(url("certification", candidate.pk), ANSWER)
    assert set(Feedback.objects.values_list("subject", "subject_ref")) == {
        ("module", str(entry.pk)),
        ("certification", str(candidate.pk)),
    }


@pytest.mark.parametrize("bad", [{"usefulness": "6"}, {"clarity": "0"}, {"difficulty": ""}])
def test_a_rating_outside_1_to_5_is_a_form_error_and_nothing_is_stored(
    client, learner, attempt, bad
):
    response = client.post(url("result", attempt.pk), {**ANSWER, **bad})
    assert response.status_code == 400
    assert "Choisissez une note de 1 à 5." in response.text
    assert not Feedback.objects.exists()


def test_a_comment_longer_than_2000_characters_is_refused(client, learner, attempt):
    response = client.post(url("result", attempt.pk), {**ANSWER, "comment": "a" * 2001})
    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_the_service_refuses_a_rating_out_of_range(learner, attempt):
    with pytest.raises(feedback_services.FeedbackError):
        feedback_services.give_feedback(
            learner, "result", str(attempt.pk), usefulness=7, difficulty=1, clarity=1
        )
    assert not Feedback.objects.exists()


def test_answers_are_limited_per_person(client, learner, attempt, monkeypatch):
    monkeypatch.setattr(feedback_services, "FEEDBACK_PER_HOUR", 2)
    client.post(url("result", attempt.pk), ANSWER)
    client.post(url("result", attempt.pk), {**ANSWER, "usefulness": "3"})
    refused = client.post(url("result", attempt.pk), {**ANSWER, "usefulness": "1"})
    assert refused.status_code == 429
    assert Feedback.objects.get().usefulness == 3


def test_the_result_page_works_without_any_feedback(client, learner, attempt):
    page = client.get(reverse("assessments:result", args=[attempt.pk]))
    assert page.status_code == 200
    assert url("result", attempt.pk) in page.text
    assert not Feedback.objects.exists()


def test_anonymous_people_are_sent_to_the_login_page(client, framework):
    other = make_user()
    attempt = finished_attempt(other, framework, {"D1": 2})
    response = client.get(url("result", attempt.pk))
    assert response.status_code == 302
    assert "connexion" in response["Location"] or "login" in response["Location"]


def test_the_scale_words_are_translated_when_shown_not_at_import():
    from django.utils.functional import Promise

    from palier.steering.feedback_forms import FeedbackForm

    choices = FeedbackForm.base_fields["usefulness"].choices
    assert isinstance(choices[0][1], Promise) and isinstance(choices[-1][1], Promise)
    assert str(choices[-1][1]) == "5 — très utile"
