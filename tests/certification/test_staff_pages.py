"""The centres' staff pages: sessions list, the session form, the session page (code,
candidates, enrolment, removal, opening), results and documents; reads pinned in queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.urls import reverse
from django.utils import timezone

from palier.accounts.roles import Role
from palier.certification.models import Candidate, JuryDecision, Session
from tests.certification.factories import (
    estimated_bank,
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

TOMORROW = timezone.localdate() + dt.timedelta(days=1)


@pytest.fixture
def centre(org):
    return make_centre(org)


@pytest.fixture
def session(centre, framework):
    return make_session(centre, framework, status=Session.Status.SCHEDULED)


def url(name: str, session=None, *more) -> str:
    slug = "ifsi-tilleuls"
    args = [slug] if session is None else [slug, session.pk, *more]
    return reverse(f"certification_staff:{name}", args=args)


def form_data(**overrides):
    return {
        "date": TOMORROW.isoformat(),
        "start_time": "09:30",
        "room": "Salle B12",
        "address": "3 avenue des Facultés, 33400 Talence",
        "expected_candidates": "20",
        "duration_minutes": "45",
        "invigilator_emails": "",
        "invigilator_password": "salle-B-surveillance",
        **overrides,
    }


def test_an_admin_creates_a_session_with_its_invigilators(client, centre, framework, org_admin):
    invigilator = make_user(email="lea.petit@example.org", roles=(Role.INVIGILATOR,))
    client.force_login(org_admin)
    assert client.get(url("session_create")).status_code == 200
    response = client.post(
        url("session_create"), form_data(invigilator_emails="Lea.Petit@example.org")
    )
    session = Session.objects.get()
    assert response.status_code == 302 and response["Location"] == url("session", session)
    assert list(session.invigilators.all()) == [invigilator]
    assert check_password("salle-B-surveillance", session.invigilator_password)
    page = client.get(url("session", session)).content.decode()
    assert session.access_code in page and "Salle B12" in page


def test_the_session_form_shows_every_problem_and_creates_nothing(client, centre, org_admin):
    client.force_login(org_admin)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        url("session_create"),
        form_data(date=yesterday, invigilator_password="", invigilator_emails="x@example.org"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"invigilator_password", "invigilator_emails"}
    assert not Session.objects.exists()
    # Once the form is right, the service refuses the past date on its field.
    response = client.post(url("session_create"), form_data(date=yesterday))
    assert "date" in response.context["form"].errors
    assert not Session.objects.exists()


def test_an_outsider_cannot_be_an_invigilator(client, centre, org_admin, outsider):
    client.force_login(org_admin)
    response = client.post(url("session_create"), form_data(invigilator_emails=outsider.email))
    assert outsider.email in str(response.context["form"].errors["invigilator_emails"])
    assert not Session.objects.exists()


def test_an_open_sessions_form_changes_only_the_room(client, centre, framework, org_admin):
    session = make_session(centre, framework, status=Session.Status.OPEN)
    client.force_login(org_admin)
    form = client.get(url("session_edit", session)).context["form"]
    assert "date" not in form.fields and "room" in form.fields
    response = client.post(
        url("session_edit", session),
        {"room": "Amphi A", "address": session.address, "invigilator_emails": ""},
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.room == "Amphi A" and session.date == timezone.localdate()


def test_an_admin_enrols_and_removes_a_candidate(client, session, org_admin):
    learner = make_user(email="lina.roux@example.org", first_name="Lina", last_name="Roux")
    client.force_login(org_admin)
    response = client.post(
        url("candidate_enrol", session),
        {"email": "lina.roux@example.org", "extra_time_percent": "33", "screen_reader": "on"},
    )
    assert response.status_code == 302
    candidate = Candidate.objects.get(session=session, user=learner)
    assert (candidate.extra_time_percent, candidate.screen_reader) == (33, True)
    page = client.get(url("session", session)).content.decode()
    assert "Lina Roux" in page and "33 %" in page
    again = client.post(
        url("candidate_enrol", session),
        {"email": "lina.roux@example.org", "extra_time_percent": "0"},
    )
    assert again.status_code == 409
    assert "déjà inscrit" in again.content.decode()
    removed = client.post(url("candidate_remove", session, candidate.pk))
    assert removed.status_code == 302 and not Candidate.objects.exists()


def test_an_unknown_account_is_a_form_error(client, session, org_admin):
    client.force_login(org_admin)
    response = client.post(
        url("candidate_enrol", session), {"email": "personne@example.org", "extra_time_percent": 0}
    )
    assert response.status_code == 422
    assert "email" in response.context["enrol_form"].errors
    assert not Candidate.objects.exists()


def test_opening_waits_for_a_calibration_from_responses(client, session, framework, org_admin):
    client.force_login(org_admin)
    refused = client.post(url("session_open", session))
    assert refused.status_code == 409
    assert "provisoires" in refused.content.decode() or "aucune banque" in refused.content.decode()
    session.refresh_from_db()
    assert session.status == Session.Status.SCHEDULED
    estimated_bank(framework)
    assert client.post(url("session_open", session)).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.OPEN


def test_cancel_and_new_code(client, session, org_admin):
    client.force_login(org_admin)
    before = session.access_code
    assert client.post(url("session_new_code", session)).status_code == 302
    session.refresh_from_db()
    assert session.access_code != before
    assert client.post(url("session_cancel", session)).status_code == 302
    session.refresh_from_db()
    assert session.status == Session.Status.CANCELLED
    assert client.post(url("session_cancel", session)).status_code == 409


def test_members_read_the_session_without_change_buttons(client, session, org_member):
    client.force_login(org_member)
    page = client.get(url("session", session)).content.decode()
    assert session.access_code in page
    assert "Inscrire le candidat" not in page and "Ouvrir la session" not in page


def test_the_sessions_list_splits_upcoming_and_past(
    client, centre, framework, org_member, django_assert_max_num_queries
):
    make_session(centre, framework, status=Session.Status.SCHEDULED, date=TOMORROW, room="Demain")
    past_day = timezone.localdate() - dt.timedelta(days=30)
    for _index in range(5):
        past = make_session(centre, framework, status=Session.Status.FINALISED, date=past_day)
        make_candidate(past)
    client.force_login(org_member)
    with django_assert_max_num_queries(8):
        response = client.get(url("sessions"))
    upcoming, past = response.context["upcoming"], response.context["past"]
    assert [s.room for s in upcoming] == ["Demain"]
    assert len(past) == 5 and all(s.candidate_count == 1 for s in past)


def test_the_session_page_reads_in_a_fixed_number_of_queries(
    client, session, org_admin, django_assert_max_num_queries
):
    for _index in range(10):
        make_candidate(session)
    client.force_login(org_admin)
    with django_assert_max_num_queries(12):
        assert client.get(url("session", session)).status_code == 200


def test_results_show_the_decision_in_force_and_the_certificate(
    client, centre, framework, org_member, django_assert_max_num_queries
):
    session = make_session(centre, framework, status=Session.Status.FINALISED)
    certified = make_candidate(session, make_user(first_name="Lina", last_name="Roux"))
    certificate = make_certificate(certified, {"D1": {"level": 3, "probability": 0.93}})
    reviewed = make_candidate(session, make_user(first_name="Théo", last_name="Martin"))
    JuryDecision.objects.create(
        candidate=reviewed, outcome=JuryDecision.Outcome.TO_REVIEW, rule_version="t"
    )
    JuryDecision.objects.create(
        candidate=reviewed,
        outcome=JuryDecision.Outcome.NOT_CERTIFIED,
        rule_version="t",
        decided_by=org_member,
    )
    for _index in range(5):
        make_candidate(session)
    client.force_login(org_member)
    with django_assert_max_num_queries(9):
        page = client.get(url("results", session)).content.decode()
    assert certificate.code in page and "niveau 3 (p = 0,93)" in page
    assert "Aucun niveau certifié" in page and "À examiner" not in page


def test_a_centres_home_links_to_its_sessions(client, centre, org_member):
    client.force_login(org_member)
    page = client.get(reverse("organisations:home", args=["ifsi-tilleuls"])).content.decode()
    assert url("sessions") in page


def test_a_non_centres_home_links_only_to_the_shared_results(client, org, org_member):
    client.force_login(org_member)
    page = client.get(reverse("organisations:home", args=["ifsi-tilleuls"])).content.decode()
    assert "/certification/partages/" in page
    assert reverse("certification_staff:sessions", args=["ifsi-tilleuls"]) + '"' not in page


@pytest.mark.parametrize("name", ["attendance_sheet", "session_report"])
def test_the_session_documents_are_pdfs(client, session, org_member, name):
    make_candidate(session)
    client.force_login(org_member)
    response = client.get(url(name, session))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
