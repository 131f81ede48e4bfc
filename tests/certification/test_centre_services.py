"""The centres' services: the capability, sessions, access codes, invigilators, enrolment.
Each refusal has its status and code, and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.hashers import check_password
from django.utils import timezone

from palier.accounts.roles import Role
from palier.certification import centre_services as services
from palier.certification import enrolment
from palier.certification.codes import normalise_access_code
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Centre, Session
from tests.assessments.conftest import seed_bank
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
PASSWORD = "salle-B-surveillance"


def values(**overrides):
    return {
        "date": TOMORROW,
        "start_time": dt.time(9, 30),
        "room": "Salle B12",
        "address": "3 avenue des Facultés, 33400 Talence",
        "expected_candidates": 20,
        "duration_minutes": 45,
        **overrides,
    }


@pytest.fixture
def centre(org):
    return make_centre(org)


@pytest.fixture
def scheduled(centre, framework, org_admin):
    return services.create_session(
        centre, org_admin, values(), invigilator_password=PASSWORD, framework=framework
    )


def refused(code: str, function, *args, **kwargs) -> CertificationError:
    with pytest.raises(CertificationError) as caught:
        function(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


# --- the capability -----------------------------------------------------------------------


def test_a_platform_administrator_grants_withdraws_and_restores_a_centre(org):
    admin = make_user(roles=(Role.ADMINISTRATOR,))
    centre = services.grant_centre(org, admin)
    assert centre.is_active and centre.granted_by == admin
    services.withdraw_centre(centre, admin)
    assert not Centre.objects.get(pk=centre.pk).is_active
    assert services.grant_centre(org, admin).pk == centre.pk
    assert Centre.objects.get(pk=centre.pk).is_active


def test_only_platform_administrators_grant_the_capability(org, org_admin):
    error = refused("administrator_required", services.grant_centre, org, org_admin)
    assert error.status == 403
    assert not Centre.objects.exists()


def test_the_capability_is_not_withdrawn_while_a_session_is_open(centre, framework):
    make_session(centre, framework, status=Session.Status.OPEN)
    refused(
        "session_open", services.withdraw_centre, centre, make_user(roles=(Role.ADMINISTRATOR,))
    )
    assert Centre.objects.get(pk=centre.pk).is_active


# --- sessions -----------------------------------------------------------------------------


def test_a_new_session_is_scheduled_with_a_readable_code_and_a_hashed_password(
    scheduled, org_admin
):
    assert scheduled.status == Session.Status.SCHEDULED
    assert normalise_access_code(scheduled.access_code) == scheduled.access_code
    assert scheduled.invigilator_password != PASSWORD
    assert check_password(PASSWORD, scheduled.invigilator_password)
    assert scheduled.created_by == org_admin


def test_a_session_in_the_past_or_with_a_short_password_is_refused(centre, framework):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    refused(
        "date_in_past",
        services.create_session,
        centre,
        None,
        values(date=yesterday),
        invigilator_password=PASSWORD,
        framework=framework,
    )
    error = refused(
        "password_too_short",
        services.create_session,
        centre,
        None,
        values(),
        invigilator_password="court",
        framework=framework,
    )
    assert "invigilator_password" in error.fields
    assert not Session.objects.exists()


def test_an_access_code_held_by_another_active_session_is_drawn_again(
    scheduled, centre, framework, monkeypatch
):
    drawn = iter([scheduled.access_code, "ABCD23"])
    monkeypatch.setattr(services.codes, "new_access_code", lambda: next(drawn))
    other = services.create_session(
        centre, None, values(), invigilator_password=PASSWORD, framework=framework
    )
    assert other.access_code == "ABCD23"


def test_a_cancelled_session_frees_its_code(scheduled, centre, framework, monkeypatch):
    services.cancel_session(scheduled)
    monkeypatch.setattr(services.codes, "new_access_code", lambda: scheduled.access_code)
    other = services.create_session(
        centre, None, values(), invigilator_password=PASSWORD, framework=framework
    )
    assert other.access_code == scheduled.access_code


def test_no_free_code_is_a_clear_refusal(scheduled, monkeypatch):
    other = make_session(scheduled.centre, scheduled.framework, status=Session.Status.SCHEDULED)
    monkeypatch.setattr(services.codes, "new_access_code", lambda: other.access_code)
    refused("no_access_code", services.new_access_code, scheduled)
    assert Session.objects.get(pk=scheduled.pk).access_code == scheduled.access_code


def test_a_new_access_code_replaces_the_old_one(scheduled):
    before = scheduled.access_code
    assert services.new_access_code(scheduled).access_code != before


def test_a_scheduled_session_changes_freely_an_open_one_only_its_room(scheduled):
    services.update_session(scheduled, values(room="Amphi A", expected_candidates=30))
    scheduled.refresh_from_db()
    assert (scheduled.room, scheduled.expected_candidates) == ("Amphi A", 30)
    Session.objects.filter(pk=scheduled.pk).update(status=Session.Status.OPEN)
    scheduled.refresh_from_db()
    refused("session_open", services.update_session, scheduled, values(duration_minutes=60))
    services.update_session(scheduled, {"room": "Salle C"})
    scheduled.refresh_from_db()
    assert (scheduled.room, scheduled.duration_minutes) == ("Salle C", 45)


def test_a_finalised_session_is_locked(centre, framework):
    session = make_session(centre, framework, status=Session.Status.FINALISED)
    refused("session_locked", services.update_session, session, {"room": "Ailleurs"})
    refused("session_locked", services.set_invigilator_password, session, "nouveau-mdp-123")
    refused("not_scheduled", services.cancel_session, session)


def test_invigilators_are_platform_invigilators_or_staff_of_the_centre(
    scheduled, org_member, outsider
):
    invigilator = make_user(roles=(Role.INVIGILATOR,))
    services.set_invigilators(scheduled, [invigilator, org_member])
    assert set(scheduled.invigilators.all()) == {invigilator, org_member}
    error = refused("not_invigilator", services.set_invigilators, scheduled, [outsider])
    assert outsider.email in error.message
    assert set(scheduled.invigilators.all()) == {invigilator, org_member}


def test_the_invigilator_password_is_replaced_hashed(scheduled):
    services.set_invigilator_password(scheduled, "autre-mot-de-passe")
    scheduled.refresh_from_db()
    assert check_password("autre-mot-de-passe", scheduled.invigilator_password)


# --- opening ------------------------------------------------------------------------------


def test_a_session_does_not_open_while_the_calibration_is_provisional(centre, framework):
    seed_bank(framework)
    session = make_session(centre, framework, status=Session.Status.SCHEDULED)
    error = refused("provisional_calibration", services.open_session, session)
    assert error.status == 409
    assert Session.objects.get(pk=session.pk).status == Session.Status.SCHEDULED


def test_a_session_opens_on_its_day_with_an_estimated_calibration(centre, framework):
    estimated_bank(framework)
    early = make_session(centre, framework, status=Session.Status.SCHEDULED, date=TOMORROW)
    refused("too_early", services.open_session, early)
    today = make_session(centre, framework, status=Session.Status.SCHEDULED)
    opened = services.open_session(today)
    assert opened.status == Session.Status.OPEN and opened.opened_at is not None
    refused("not_scheduled", services.open_session, opened)


# --- candidates ---------------------------------------------------------------------------


def test_a_candidate_is_enrolled_by_the_email_of_their_account(scheduled, org_admin):
    learner = make_user(email="lina.roux@example.org")
    candidate = enrolment.enrol_candidate(
        scheduled, " Lina.Roux@example.org ", 33, True, "", by=org_admin
    )
    assert (candidate.user, candidate.extra_time_percent, candidate.screen_reader) == (
        learner,
        33,
        True,
    )
    assert candidate.status == Candidate.Status.EXPECTED
    assert candidate.override_reason == "" and candidate.override_by is None


def test_enrolment_refusals_say_why_and_enrol_nobody(scheduled):
    refused("unknown_account", enrolment.enrol_candidate, scheduled, "personne@example.org")
    unconfirmed = make_user(confirmed=False)
    refused("email_not_confirmed", enrolment.enrol_candidate, scheduled, unconfirmed.email)
    learner = make_user()
    refused("invalid_extra_time", enrolment.enrol_candidate, scheduled, learner.email, 250)
    enrolment.enrol_candidate(scheduled, learner.email)
    refused("already_enrolled", enrolment.enrol_candidate, scheduled, learner.email)
    assert Candidate.objects.count() == 1


def test_a_recent_certificate_needs_a_recorded_override(scheduled, centre, framework, org_admin):
    learner = make_user()
    past = make_session(centre, framework, status=Session.Status.FINALISED)
    make_certificate(make_candidate(past, learner))
    refused("recently_certified", enrolment.enrol_candidate, scheduled, learner.email)
    candidate = enrolment.enrol_candidate(
        scheduled, learner.email, override_reason="Changement de poste.", by=org_admin
    )
    assert candidate.override_reason == "Changement de poste."
    assert candidate.override_by == org_admin


def test_no_enrolment_in_a_cancelled_session(scheduled):
    services.cancel_session(scheduled)
    refused("session_locked", enrolment.enrol_candidate, scheduled, make_user().email)


def test_a_candidate_is_removed_only_while_expected(scheduled):
    expected = enrolment.enrol_candidate(scheduled, make_user().email)
    enrolment.remove_candidate(expected)
    assert not Candidate.objects.filter(pk=expected.pk).exists()
    arrived = make_candidate(scheduled, status=Candidate.Status.PRESENT)
    refused("candidate_arrived", enrolment.remove_candidate, arrived)
    assert Candidate.objects.filter(pk=arrived.pk).exists()


# --- the management site ------------------------------------------------------------------


def test_the_management_site_grants_and_withdraws_the_capability(client, org):
    from django.urls import reverse

    admin = make_user(roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True)
    client.force_login(admin)
    add = reverse("admin:certification_centre_add")
    assert client.post(add, {"organisation": org.pk}).status_code == 302
    centre = Centre.objects.get(organisation=org)
    assert centre.is_active and centre.granted_by == admin
    changelist = reverse("admin:certification_centre_changelist")
    client.post(changelist, {"action": "withdraw", "_selected_action": [centre.pk]})
    assert not Centre.objects.get(pk=centre.pk).is_active
    for name in ("session", "jurydecision", "certificate"):
        assert client.get(reverse(f"admin:certification_{name}_changelist")).status_code == 200
