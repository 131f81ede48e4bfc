import json

import pytest
from django.test import Client

from palier.accounts.models import LearnerProfile
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(client, framework):
    user = make_user("ines@example.org", first_name="Inès")
    client.force_login(user)
    return user


def patch(client, body, **extra):
    data = body if isinstance(body, str) else json.dumps(body)
    return client.patch("/api/v1/me/profile", data, content_type="application/json", **extra)


def test_anonymous_callers_get_401_in_the_error_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_me_describes_the_signed_in_user(client, learner):
    body = client.get("/api/v1/me").json()
    assert body["email"] == "ines@example.org" and body["roles"] == ["learner"]
    assert body["profile"] == {
        "population": None,
        "status": "",
        "year_of_study": None,
        "region": "",
        "extra_time": False,
        "uses_screen_reader": False,
        "learning_records_opt_out": False,
    }


def test_a_profile_patch_changes_only_the_given_fields(client, learner):
    response = patch(client, {"population": "maieutique", "status": "student", "year_of_study": 3})
    assert response.status_code == 200
    assert response.json()["profile"]["population"] == "maieutique"
    assert response.json()["first_name"] == "Inès"
    assert LearnerProfile.objects.get(user=learner).year_of_study == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"population": "astronaute"}, "population"),
        ({"status": "retired"}, "status"),
        ({"year_of_study": 12, "status": "student"}, "year_of_study"),
        ({"year_of_study": "deux"}, "year_of_study"),
        ({"year_of_study": 2, "status": "public_sector"}, "year_of_study"),
        ({"region": "99"}, "region"),
        ({"first_name": "x" * 151}, "first_name"),
        ({"population": ["a", "list"]}, "population"),
    ],
)
def test_invalid_profile_values_get_422_with_the_field_and_change_nothing(
    client, learner, body, field
):
    response = patch(client, body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input" and field in error["fields"]
    profile = LearnerProfile.objects.get(user=learner)
    assert (profile.population, profile.status, profile.year_of_study) == (None, "", None)


def test_a_malformed_json_body_gets_a_clear_4xx(client, learner):
    response = patch(client, "{not json")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()


def test_writes_need_the_csrf_token(learner):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    response = patch(strict, {"region": "11"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    assert LearnerProfile.objects.get(user=learner).region == ""


def test_my_data_export_is_available_through_the_api(client, learner):
    assert client.get("/api/v1/me/export").json()["account"]["email"] == "ines@example.org"


def test_unknown_api_paths_answer_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
