"""The steering API: read-only for steering, administrators and funders; the same filters
(400 with the error shape); hidden figures null and flagged."""

import pytest

from palier.accounts.roles import Role
from palier.steering.aggregates import refresh
from tests.factories import make_user
from tests.steering.reach_factories import small_country

pytestmark = pytest.mark.django_db


@pytest.fixture
def funder_client(client, framework):
    small_country()
    refresh([2025])
    client.force_login(make_user(roles=(Role.FUNDER,)))
    return client


def test_a_breakdown_gives_hidden_cells_as_null_with_a_flag(funder_client):
    body = funder_client.get("/api/v1/steering/breakdowns/institution?annee=2025").json()
    assert body["code"] == "etablissements"
    cells = {row["label"]: row["cells"] for row in body["rows"]}
    assert cells["IFSI Beta"][1] == {"value": None, "hidden": True}
    assert cells["Université Alpha"][1] == {"value": None, "hidden": True}
    assert body["total"]["cells"][1] == {"value": 16.0, "hidden": False}


def test_headline_and_levels_answer_and_a_bad_filter_is_a_400(funder_client):
    assert funder_client.get("/api/v1/steering/headline?annee=2025").json() == []
    levels = funder_client.get("/api/v1/steering/levels?annee=2025").json()
    assert levels[0]["code"] == "niveaux-D1"
    response = funder_client.get("/api/v1/steering/breakdowns/region?region=99")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"
    assert "region" in response.json()["error"]["fields"]
    assert funder_client.get("/api/v1/steering/breakdowns/shoe-size").status_code == 404


def test_a_learner_gets_403(client, framework):
    client.force_login(make_user())
    response = client.get("/api/v1/steering/headline")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
