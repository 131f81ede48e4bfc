"""GET /api/v1/steering/hours-by-route: the dashboard's table of training hours by status
and funding route, with its suppression, its filters and its readers."""

import pytest

from palier.accounts.roles import Role
from palier.steering import queries
from palier.steering.api import table_out
from palier.steering.filters import Filters
from tests.factories import make_user
from tests.steering.test_hours_by_route import hours_country  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db

URL = "/api/v1/steering/hours-by-route"


def figures(body: dict) -> dict[str, list]:
    return {row["key"]: [cell["value"] for cell in row["cells"]] for row in body["rows"]}


@pytest.fixture
def funder(client, hours_country):  # noqa: F811 (the imported fixture)
    client.force_login(make_user(roles=(Role.FUNDER,)))
    return client


def test_a_funder_reads_the_hours_the_dashboard_shows_with_small_cells_hidden(funder):
    response = funder.get(URL, {"annee": "2025"})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "financements"
    assert body["columns"] == ["Heures prévues", "Heures suivies"]
    # The self-employed (3) and the student (1) are hidden, and in the completed column the
    # smallest other cell too, so that the total cannot give the student's hours away.
    assert figures(body) == {
        "student-free": [None, None],
        "self_employed-dpc": [None, 0],
        "public_sector-dpc": [77, None],
        "public_sector-anfh": [77, 70],
    }
    cells = {row["key"]: row["cells"] for row in body["rows"]}
    assert cells["student-free"][0] == {"value": None, "hidden": True}
    assert cells["self_employed-dpc"][1] == {"value": 0, "hidden": False}
    assert [cell["value"] for cell in body["total"]["cells"]] == [178, 143]
    # The very table of the page, not a second computation of it.
    assert body == table_out(queries.hours_by_route(Filters(year=2025)))


def test_the_filters_are_the_pages_and_an_unknown_value_is_a_400(funder):
    scoped = funder.get(URL, {"annee": "2025", "etablissement": "univ-gamma"}).json()
    assert list(figures(scoped)) == ["public_sector-dpc", "public_sector-anfh"]
    breton = funder.get(URL, {"annee": "2025", "region": "53"}).json()
    assert figures(breton) == {"self_employed-dpc": [None, 0]}
    assert funder.get(URL, {"annee": "2023"}).json()["rows"] == []
    response = funder.get(URL, {"annee": "2025", "region": "99"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter"
    assert "region" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [((Role.STEERING,), 200), ((Role.ADMINISTRATOR,), 200), ((), 403), ((Role.AUTHOR,), 403)],
)
def test_steering_and_administrators_read_it_learners_get_a_403(client, framework, roles, expected):
    client.force_login(make_user(roles=roles))
    response = client.get(URL)
    assert response.status_code == expected
    if expected == 403:
        assert response.json()["error"]["code"] == "permission_denied"


def test_a_visitor_gets_a_401_and_the_operation_is_documented(client, framework):
    assert client.get(URL).status_code == 401
    operation = client.get("/api/v1/openapi.json").json()["paths"][URL]["get"]
    assert {"200", "400", "401", "403", "422"} <= set(operation["responses"])
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/TableOut"
    )
