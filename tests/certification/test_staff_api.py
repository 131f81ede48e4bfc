"""The centres' staff API: sessions, candidates and results, for a signed-in member or the
organisation's token; members read, changes need an admin or the token."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from palier.certification.models import Candidate, Session
from palier.organisations.tokens import create_token
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/organisations/ifsi-tilleuls/certification/sessions"
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def centre(org):
    return make_centre(org)


@pytest.fixture
def token(org, org_admin):
    return create_token(org, org_admin, "Scolarité")


@pytest.fixture
def session(centre, framework):
    return make_session(centre, framework, status=Session.Status.SCHEDULED, date=TOMORROW)


def session_body(**overrides):
    return {
        "date": TOMORROW.isoformat(),
        "start_time": "14:00",
        "room": "Salle 3",
        "address": "1 place de la Gare, 59000 Lille",
        "expected_candidates": 12,
        "invigilator_password": "surveillance-14h",
        **overrides,
    }


def test_a_token_schedules_a_session_and_lists_it(client, centre, framework, token):
    _row, secret = token
    response = client.post(
        API, session_body(), content_type="application/json", headers=bearer(secret)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "scheduled" and len(body["access_code"]) == 6
    assert "invigilator_password" not in body
    session = Session.objects.get(pk=body["id"])
    assert check_password("surveillance-14h", session.invigilator_password)
    assert session.created_by is None
    listed = client.get(API, headers=bearer(secret)).json()
    assert [item["id"] for item in listed] == [session.pk]


def test_bad_input_is_a_422_with_its_fields(client, centre, framework, org_admin):
    client.force_login(org_admin)
    response = client.post(
        API,
        session_body(invigilator_password="court", expected_candidates=0),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {
        "invigilator_password",
        "expected_candidates",
    }
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client.post(API, session_body(date=past), content_type="application/json")
    assert response.status_code == 422 and response.json()["error"]["code"] == "date_in_past"
    assert not Session.objects.exists()


def test_patch_changes_a_session_and_refuses_a_locked_one(client, session, org_admin):
    client.force_login(org_admin)
    response = client.patch(
        f"{API}/{session.pk}", {"room": "Amphi"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["room"] == "Amphi"
    response = client.patch(f"{API}/{session.pk}", {"room": None}, content_type="application/json")
    assert response.status_code == 422
    Session.objects.filter(pk=session.pk).update(status=Session.Status.FINALISED)
    response = client.patch(
        f"{API}/{session.pk}", {"room": "Ailleurs"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["error"]["code"] == "session_locked"
    assert client.get(f"{API}/{session.pk}").json()["access_code"] is None


def test_candidates_are_enrolled_listed_and_removed(client, session, token):
    _row, secret = token
    learner = make_user(email="lina.roux@example.org")
    path = f"{API}/{session.pk}/candidates"
    response = client.post(
        path,
        {"email": "lina.roux@example.org", "extra_time_percent": 33},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert response.status_code == 201, response.json()
    candidate_id = response.json()["id"]
    again = client.post(
        path,
        {"email": "lina.roux@example.org"},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_enrolled"
    unknown = client.post(
        path, {"email": "x@example.org"}, content_type="application/json", headers=bearer(secret)
    )
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_account"
    listed = client.get(path, headers=bearer(secret)).json()
    assert [(c["email"], c["extra_time_percent"]) for c in listed] == [(learner.email, 33)]
    assert client.delete(f"{path}/{candidate_id}", headers=bearer(secret)).status_code == 204
    assert not Candidate.objects.exists()


def test_members_read_but_do_not_change(client, session, org_member):
    client.force_login(org_member)
    assert client.get(API).status_code == 200
    assert client.get(f"{API}/{session.pk}/candidates").status_code == 200
    changes = [
        client.post(API, session_body(), content_type="application/json"),
        client.patch(f"{API}/{session.pk}", {"room": "X"}, content_type="application/json"),
        client.post(
            f"{API}/{session.pk}/candidates",
            {"email": org_member.email},
            content_type="application/json",
        ),
    ]
    assert [response.status_code for response in changes] == [403, 403, 403]
    assert Session.objects.count() == 1 and not Candidate.objects.exists()


def test_results_give_the_decision_in_force_and_the_certificate_code(
    client, centre, framework, org_member
):
    session = make_session(centre, framework, status=Session.Status.FINALISED)
    candidate = make_candidate(session)
    certificate = make_certificate(candidate, {"D1": {"level": 2, "probability": 0.95}})
    waiting = make_candidate(session)
    client.force_login(org_member)
    rows = client.get(f"{API}/{session.pk}/results").json()
    by_id = {row["candidate"]: row for row in rows}
    assert by_id[candidate.pk]["outcome"] == "certified"
    assert by_id[candidate.pk]["levels"] == {"D1": {"level": 2, "probability": 0.95}}
    assert by_id[candidate.pk]["certificate"] == certificate.code
    assert by_id[waiting.pk]["outcome"] is None and by_id[waiting.pk]["certificate"] is None
