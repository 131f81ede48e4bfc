import json

import pytest

from palier.training.models import PlanEntry
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_catalogue_api_filters_like_the_pages(client, catalogue):
    codes = {m["code"] for m in client.get("/api/v1/training/modules?area=D2").json()}
    assert codes == {"cyber-etudiants", "cyber-pros"}
    assert client.get("/api/v1/training/modules/brouillon").status_code == 404
    assert client.get("/api/v1/training/modules?max_hours=0").status_code == 422
    assert client.get("/api/v1/training/modules?funding=gratis").status_code == 422


def test_the_plan_api_adds_once_and_records_progress(client, catalogue):
    assert client.get("/api/v1/training/plan").status_code == 401
    client.force_login(make_user())
    body = json.dumps({"module": "cyber-pros"})
    first = client.post("/api/v1/training/plan", body, content_type="application/json")
    second = client.post("/api/v1/training/plan", body, content_type="application/json")
    assert first.status_code == second.status_code == 201
    assert PlanEntry.objects.count() == 1
    entry_id = first.json()["id"]
    done = client.patch(
        f"/api/v1/training/plan/{entry_id}",
        json.dumps({"progress": "completed"}),
        content_type="application/json",
    )
    assert done.json()["progress"] == "completed"
    bad = client.patch(
        f"/api/v1/training/plan/{entry_id}",
        json.dumps({"progress": "teleported"}),
        content_type="application/json",
    )
    assert bad.status_code == 422
    both = client.post(
        "/api/v1/training/plan",
        json.dumps({"module": "cyber-pros", "resource": "x"}),
        content_type="application/json",
    )
    assert both.status_code in (404, 422)
    client.force_login(make_user())
    other = client.patch(
        f"/api/v1/training/plan/{entry_id}",
        json.dumps({"progress": "planned"}),
        content_type="application/json",
    )
    assert other.status_code == 404
