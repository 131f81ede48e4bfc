import pytest
from django.urls import reverse

from palier.assessments.models import Attempt, Response
from tests.assessments.conftest import right_answer
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def form_data(version, position):
    answer = right_answer(version)
    data = {"position": str(position)}
    if version.format == "ordering":
        data.update({f"order-{option}": str(rank) for rank, option in enumerate(answer, 1)})
    elif version.format == "matching":
        data.update({f"match-{left}": right for left, right in answer.items()})
    else:
        data["answer"] = answer
    return data


def test_a_learner_takes_the_test_through_the_pages(client, learner):
    space = client.get(reverse("assessments:space"))
    assert space.status_code == 200 and "Commencer le test" in space.content.decode()
    response = client.post(reverse("assessments:start"), {"areas": ["D1", "D2"]})
    attempt = Attempt.objects.get(user=learner)
    assert response["Location"] == reverse("assessments:question", args=[attempt.pk])
    for _ in range(60):
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        page = client.get(reverse("assessments:question", args=[attempt.pk]))
        assert page.status_code == 200 and "Je ne sais pas" in page.content.decode()
        client.post(
            reverse("assessments:question", args=[attempt.pk]),
            form_data(attempt.current_version, attempt.current_position),
        )
    assert attempt.is_finished
    result = client.get(reverse("assessments:result", args=[attempt.pk])).content.decode()
    assert "Mon niveau par domaine" in result and "<table>" in result and "<svg" in result
    assert result.count('class="review__feedback"') == Response.objects.count()


def test_i_dont_know_is_stored_as_a_wrong_answer(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    client.post(
        reverse("assessments:question", args=[attempt.pk]), {"position": "1", "dont_know": "1"}
    )
    response = Response.objects.get()
    assert response.raw_answer is None and not response.correct


def test_an_empty_answer_shows_an_error_and_stores_nothing(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    page = client.post(reverse("assessments:question", args=[attempt.pk]), {"position": "1"})
    assert page.status_code == 422 and 'role="alert"' in page.content.decode()
    assert Response.objects.count() == 0


def test_a_repeated_post_of_an_old_question_just_shows_the_current_one(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    data = form_data(attempt.current_version, 1)
    url = reverse("assessments:question", args=[attempt.pk])
    client.post(url, data)
    again = client.post(url, data, follow=True)
    assert again.status_code == 200 and Response.objects.count() == 1


def test_other_learners_cannot_open_a_test(client, learner):
    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    client.force_login(make_user())
    assert client.get(reverse("assessments:question", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("assessments:result", args=[attempt.pk])).status_code == 404


def test_the_result_downloads_as_a_pdf_with_the_levels(client, learner):
    import io

    from pypdf import PdfReader

    from palier.assessments.services import start_attempt
    from tests.assessments.test_services import alternate, play

    attempt = start_attempt(learner)
    play(attempt, alternate)
    response = client.get(reverse("assessments:result_pdf", args=[attempt.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Niveau par domaine" in text and "Cybersécurité en santé" in text
    client.force_login(make_user())
    assert client.get(reverse("assessments:result_pdf", args=[attempt.pk])).status_code == 404


def test_the_space_shows_progress_per_area_and_the_retake_date(client, learner):
    from palier.assessments.services import start_attempt
    from tests.assessments.test_services import alternate, play

    attempt = start_attempt(learner)
    play(attempt, alternate)
    content = client.get(reverse("assessments:space")).content.decode()
    assert "Ma progression par domaine" in content
    assert "Vous pourrez repasser le test" in content and "Commencer le test" not in content


def test_a_learner_reports_a_problem_on_the_current_question(client, learner):
    from palier.items.models import ProblemReport

    client.post(reverse("assessments:start"))
    attempt = Attempt.objects.get(user=learner)
    page = client.get(reverse("assessments:question", args=[attempt.pk])).content.decode()
    assert "Signaler un problème" in page and "<textarea" in page
    client.post(
        reverse("assessments:report", args=[attempt.pk]),
        {"category": "unclear", "comment": "Deux réponses semblent justes."},
    )
    report = ProblemReport.objects.get()
    assert report.item_version == attempt.current_version and report.reporter == learner
    client.post(reverse("assessments:report", args=[attempt.pk]), {"category": "nope"})
    assert ProblemReport.objects.count() == 1
