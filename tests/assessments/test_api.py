import json
import uuid

import pytest

from palier.assessments.models import Attempt, Response
from palier.items.models import ItemVersion
from tests.assessments.conftest import right_answer, wrong_answer
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def start(client):
    response = post(client, "/api/v1/assessments", {})
    assert response.status_code == 201, response.content
    return response.json()


def current_version(state) -> ItemVersion:
    return ItemVersion.objects.get(pk=state["question"]["version"])


def test_the_question_payload_never_holds_the_key_or_feedback(client, learner):
    state = start(client)
    version = current_version(state)
    payload = json.dumps(state["question"], ensure_ascii=False)
    assert "correct" not in payload and "accepted" not in payload
    assert version.feedback_fr not in payload
    assert client.get(f"/api/v1/assessments/{state['id']}/result").status_code == 409


def test_a_test_runs_to_its_result_through_the_api(client, learner):
    state = start(client)
    for _ in range(60):
        if state["status"] == "finished":
            break
        version = current_version(state)
        response = post(
            client,
            f"/api/v1/assessments/{state['id']}/answers",
            {
                "position": state["position"],
                "response": right_answer(version),
                "answer_id": str(uuid.uuid4()),
            },
        )
        assert response.status_code == 200, response.content
        state = response.json()
    assert state["status"] == "finished" and state["question"] is None
    result = client.get(state["result_url"]).json()
    assert set(result["result"]["areas"]) == {"D1", "D2", "D3", "D4", "D5"}
    assert all(row["correct"] for row in result["review"])
    assert all(values["level"] >= 3 for values in result["result"]["areas"].values())


def test_resuming_shows_the_same_question_with_the_same_options_order(client, learner):
    state = start(client)
    again = client.get(f"/api/v1/assessments/{state['id']}").json()
    assert again["question"] == state["question"]
    other = post(client, "/api/v1/assessments", {})
    assert other.status_code == 409 and other.json()["error"]["code"] == "attempt_in_progress"


def test_a_retried_answer_is_stored_once(client, learner):
    state = start(client)
    body = {
        "position": 1,
        "response": right_answer(current_version(state)),
        "answer_id": str(uuid.uuid4()),
    }
    first = post(client, f"/api/v1/assessments/{state['id']}/answers", body)
    second = post(client, f"/api/v1/assessments/{state['id']}/answers", body)
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert Response.objects.count() == 1


def test_a_double_click_without_answer_id_is_stored_once(client, learner):
    state = start(client)
    body = {"position": 1, "response": right_answer(current_version(state))}
    post(client, f"/api/v1/assessments/{state['id']}/answers", body)
    again = post(client, f"/api/v1/assessments/{state['id']}/answers", body)
    assert again.status_code == 200 and Response.objects.count() == 1


def test_an_answer_to_another_question_gets_409_and_changes_nothing(client, learner):
    state = start(client)
    version = current_version(state)
    wrong_position = post(
        client,
        f"/api/v1/assessments/{state['id']}/answers",
        {"position": 5, "response": right_answer(version)},
    )
    assert wrong_position.status_code == 409
    assert wrong_position.json()["error"]["code"] == "not_current_question"
    post(
        client,
        f"/api/v1/assessments/{state['id']}/answers",
        {"position": 1, "response": right_answer(version)},
    )
    changed_mind = post(
        client,
        f"/api/v1/assessments/{state['id']}/answers",
        {"position": 1, "response": wrong_answer(version)},
    )
    assert changed_mind.status_code == 409
    assert Response.objects.count() == 1 and Response.objects.get().correct


MALFORMED = {
    "single_choice": ["zz", ["a"], 3, {"a": 1}],
    "multiple_response": ["a", [], ["a", "a"], ["zz"]],
    "stimulus_choice": ["a", [], ["zz"]],
    "short_text": ["", "x" * 201, ["a"], True],
    "numeric": ["", ["1"], {"v": 1}],
    "ordering": [["a"], "a", ["zz", "yy", "xx"]],
    "matching": [["a"], {"zz": "x"}, "a"],
}


def test_malformed_responses_for_every_format_get_422_and_nothing_is_stored(client, learner):
    state = start(client)
    attempt = Attempt.objects.get(pk=state["id"])
    for version in _one_version_per_format():
        Attempt.objects.filter(pk=attempt.pk).update(current_version=version)
        for bad in MALFORMED[version.format]:
            response = post(
                client,
                f"/api/v1/assessments/{state['id']}/answers",
                {"position": 1, "response": bad},
            )
            assert response.status_code == 422, (version.format, bad)
            assert response.json()["error"]["code"] == "invalid_answer"
    assert Response.objects.count() == 0


def _one_version_per_format() -> list[ItemVersion]:
    found: dict[str, ItemVersion] = {}
    for version in ItemVersion.objects.filter(item__status="operational").order_by("pk"):
        found.setdefault(version.format, version)
    return list(found.values())


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"position": 0, "response": "a"},
        {"position": "un", "response": "a"},
        {"position": 1, "answer_id": "not-a-uuid"},
    ],
)
def test_bad_answer_bodies_get_422(client, learner, body):
    state = start(client)
    response = post(client, f"/api/v1/assessments/{state['id']}/answers", body)
    assert response.status_code == 422
    assert Response.objects.count() == 0


def test_an_oversized_body_is_refused(client, learner, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    state = start(client)
    response = post(
        client,
        f"/api/v1/assessments/{state['id']}/answers",
        {"position": 1, "response": "x" * 20_000},
    )
    assert 400 <= response.status_code < 500
    assert Response.objects.count() == 0


def test_another_learners_test_is_invisible(client, learner):
    state = start(client)
    client.force_login(make_user())
    for response in (
        client.get(f"/api/v1/assessments/{state['id']}"),
        post(
            client, f"/api/v1/assessments/{state['id']}/answers", {"position": 1, "response": None}
        ),
        client.get(f"/api/v1/assessments/{uuid.uuid4()}"),
        client.get("/api/v1/assessments/not-a-uuid"),
    ):
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert Response.objects.count() == 0


def test_answering_a_finished_test_gets_409(client, learner):
    state = start(client)
    Attempt.objects.filter(pk=state["id"]).update(status="finished")
    response = post(
        client, f"/api/v1/assessments/{state['id']}/answers", {"position": 1, "response": None}
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "attempt_finished"


def test_recording_an_answer_costs_a_fixed_number_of_queries(
    client, learner, django_assert_max_num_queries
):
    state = start(client)
    for _ in range(3):
        version = current_version(state)
        # 12 queries, plus the SAVEPOINT/RELEASE pair of the test's own transaction.
        with django_assert_max_num_queries(14):
            response = post(
                client,
                f"/api/v1/assessments/{state['id']}/answers",
                {"position": state["position"], "response": right_answer(version)},
            )
        state = response.json()
