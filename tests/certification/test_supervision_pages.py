"""The supervision page through the real endpoints: who reaches it, the invigilator
password, each action and what it changes, the live list fragment, finalisation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from palier.assessments.models import Attempt
from palier.certification import services
from palier.certification.models import Alert, Candidate, Incident, Session
from palier.certification.supervision_services import PASSWORD_TRIES_PER_HOUR
from palier.organisations.choices import MembershipRole
from tests.certification.conftest import DEVICE, answer_current, started, text
from tests.certification.conftest import supervision_url as url
from tests.certification.factories import INVIGILATOR_PASSWORD, make_candidate
from tests.factories import make_member, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervising(client, session, invigilator):
    """The invigilator's browser, signed in, with the page's password typed."""
    client.force_login(invigilator)
    response = client.post(url("page", session), {"password": INVIGILATOR_PASSWORD})
    assert response.status_code == 302
    return client


def test_the_page_asks_for_the_password_then_shows_the_code_and_the_candidates(
    client, session, invigilator
):
    make_candidate(session, user=make_user(first_name="Inès", last_name="Moreau"))
    client.force_login(invigilator)
    first = client.get(url("page", session))
    assert first.status_code == 200
    assert b"Mot de passe de surveillance" in first.content
    assert session.access_code not in text(first)
    assert client.get(url("live", session)).status_code == 403
    assert client.post(url("page", session), {"password": INVIGILATOR_PASSWORD}).status_code == 302
    page = client.get(url("page", session))
    assert session.access_code in text(page)
    assert "Inès Moreau" in text(page)
    assert "Rafraîchir" in text(page)


def test_a_wrong_password_is_a_form_error_and_tries_are_limited_per_person(
    client, session, invigilator
):
    client.force_login(invigilator)
    wrong = client.post(url("page", session), {"password": "pas-le-bon"})
    assert wrong.status_code == 400
    assert "Mot de passe incorrect." in text(wrong)
    for _ in range(PASSWORD_TRIES_PER_HOUR - 1):
        client.post(url("page", session), {"password": "pas-le-bon"})
    blocked = client.post(url("page", session), {"password": INVIGILATOR_PASSWORD})
    assert blocked.status_code == 429
    assert "Trop d&#x27;essais" in text(blocked)
    assert session.access_code not in text(client.get(url("page", session)))
    # Another invigilator of the same room is not locked out.
    colleague = make_user(roles=("invigilator",))
    session.invigilators.add(colleague)
    client.force_login(colleague)
    assert client.post(url("page", session), {"password": INVIGILATOR_PASSWORD}).status_code == 302


def test_the_centre_staff_supervise_and_anyone_else_gets_404(client, session, outsider):
    member = make_member(session.centre.organisation, MembershipRole.MEMBER)
    client.force_login(member)
    assert client.get(url("page", session)).status_code == 200
    for person in (outsider, make_user(roles=("invigilator",))):
        client.force_login(person)
        assert client.get(url("page", session)).status_code == 404
        unlock = client.post(url("page", session), {"password": INVIGILATOR_PASSWORD})
        assert unlock.status_code == 404
        assert client.get(url("live", session)).status_code == 404
    client.logout()
    assert client.get(url("page", session)).status_code == 302  # to the login page


def test_actions_need_the_password_and_a_candidate_of_the_session(
    client, session, invigilator, framework
):
    from tests.certification.factories import make_centre, make_session

    candidate = make_candidate(session)
    services.join_session(candidate.user, session.access_code, DEVICE)
    client.force_login(invigilator)
    response = client.post(url("authorise", session, candidate.pk))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.PRESENT
    client.post(url("page", session), {"password": INVIGILATOR_PASSWORD})
    other = make_candidate(make_session(make_centre(), framework))
    assert client.post(url("authorise", session, other.pk)).status_code == 404
    assert client.get(url("authorise", session, candidate.pk)).status_code == 405


def test_authorise_then_the_live_list_shows_the_test_in_progress(supervising, session, invigilator):
    candidate = make_candidate(session, user=make_user(first_name="Jules", last_name="Petit"))
    services.join_session(candidate.user, session.access_code, DEVICE)
    live = supervising.get(url("live", session))
    assert "Présent, en attente" in text(live)
    assert b"Autoriser" in live.content
    response = supervising.post(url("authorise", session, candidate.pk))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.AUTHORISED
    services.start_test(candidate, DEVICE)
    candidate.refresh_from_db()
    answer_current(candidate)
    live = supervising.get(url("live", session))
    assert live.status_code == 200
    assert b"<html" not in live.content
    assert "1 réponse, 45 minutes restantes" in text(live)
    again = supervising.post(url("authorise", session, candidate.pk), follow=True)
    assert "Ce candidat n&#x27;attend pas d&#x27;autorisation." in text(again)


def test_a_resume_on_a_new_device_waits_for_authorisation(supervising, session, invigilator):
    candidate = started(session, invigilator)
    supervising.post(url("release_device", session, candidate.pk))
    candidate.refresh_from_db()
    assert candidate.device_token == ""
    services.join_session(candidate.user, session.access_code, "device-two")
    live = supervising.get(url("live", session))
    assert "En attente d'autorisation pour reprendre" in text(live)
    supervising.post(url("authorise", session, candidate.pk))
    candidate.refresh_from_db()
    assert not candidate.awaiting_authorisation


def test_ending_a_test_asks_for_confirmation_first(supervising, session, invigilator):
    candidate = started(session, invigilator)
    confirm = supervising.get(url("end_test", session, candidate.pk))
    assert confirm.status_code == 200
    assert "Arrêter l'épreuve" in text(confirm)
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.IN_PROGRESS
    supervising.post(url("end_test", session, candidate.pk))
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.ENDED
    assert candidate.ended_by == invigilator


def test_alerts_are_listed_then_validated_or_dismissed(supervising, session, invigilator):
    candidate = started(session, invigilator)
    attempt = Attempt.objects.get(pk=candidate.attempt_id)
    frozen = attempt.current_version_id
    alert = services.raise_alert(candidate, DEVICE, "L'image ne s'affiche pas")
    live = supervising.get(url("live", session))
    assert f'data-alert-ids="{alert.pk}"' in text(live)
    assert "L&#x27;image ne s&#x27;affiche pas" in text(live)
    supervising.post(url("validate_alert", session, alert.pk))
    alert.refresh_from_db()
    assert alert.status == Alert.Status.VALIDATED
    attempt.refresh_from_db()
    assert attempt.current_version_id != frozen
    second = services.raise_alert(candidate, DEVICE)
    supervising.post(url("dismiss_alert", session, second.pk))
    second.refresh_from_db()
    assert second.status == Alert.Status.DISMISSED
    handled = supervising.post(url("dismiss_alert", session, second.pk), follow=True)
    assert "Ce signalement a déjà été traité." in text(handled)
    assert b'data-alert-ids=""' in supervising.get(url("live", session)).content


def test_an_incident_is_noted_for_a_candidate_or_the_session(supervising, session, invigilator):
    candidate = started(session, invigilator)
    response = supervising.post(
        url("add_incident", session),
        {"candidate": str(candidate.pk), "category": "technical", "comment": "Écran noir"},
    )
    assert response.status_code == 302
    incident = Incident.objects.get()
    assert (incident.candidate, incident.category, incident.created_by) == (
        candidate,
        "technical",
        invigilator,
    )
    supervising.post(
        url("add_incident", session), {"candidate": "", "category": "other", "comment": "Bruit"}
    )
    assert Incident.objects.filter(candidate__isnull=True).count() == 1
    assert "Écran noir" in text(supervising.get(url("page", session)))


@pytest.mark.parametrize(
    "data",
    [
        {"candidate": "", "category": "meteo", "comment": "Orage"},
        {"candidate": "", "category": "other", "comment": ""},
        {"candidate": "999999", "category": "other", "comment": "Inconnu"},
    ],
)
def test_a_bad_incident_is_a_form_error_and_changes_nothing(supervising, session, data):
    response = supervising.post(url("add_incident", session), data)
    assert response.status_code == 400
    assert b'id="form-errors"' in response.content
    assert Incident.objects.count() == 0


def test_finalisation_errors_then_the_page_is_read_only(supervising, session, invigilator):
    candidate = started(session, invigilator)
    absent = make_candidate(session)
    empty = supervising.post(url("finalise", session), {"present": [candidate.pk], "report": " "})
    assert empty.status_code == 400
    assert b'id="form-errors"' in empty.content
    running = supervising.post(
        url("finalise", session), {"present": [candidate.pk], "report": "RAS"}
    )
    assert running.status_code == 409
    assert "Des épreuves sont encore en cours" in text(running)
    session.refresh_from_db()
    assert session.status == Session.Status.OPEN
    services.end_test(candidate, invigilator)
    done = supervising.post(
        url("finalise", session), {"present": [candidate.pk], "report": "Session calme."}
    )
    assert done.status_code == 302
    session.refresh_from_db()
    candidate.refresh_from_db()
    absent.refresh_from_db()
    assert session.status == Session.Status.FINALISED
    assert session.report == "Session calme."
    assert (candidate.present_confirmed, absent.status) == (True, Candidate.Status.ABSENT)
    page = text(supervising.get(url("page", session)))
    assert url("finalise", session) not in page
    assert "Autoriser" not in page and "supervision.js" not in page
    assert "Session calme." in page
    refused = supervising.post(url("end_test", session, candidate.pk), follow=True)
    assert "Cette session n&#x27;est pas ouverte." in text(refused)
    supervising.post(url("add_incident", session), {"category": "other", "comment": "Tard"})
    assert Incident.objects.count() == 0


def test_the_finalisation_form_ticks_those_who_arrived(supervising, session, invigilator):
    arrived = started(session, invigilator)
    expected = make_candidate(session)
    page = supervising.get(url("page", session)).content.decode()
    assert f'id="present-{arrived.pk}" value="{arrived.pk}" checked' in page
    assert f'id="present-{expected.pk}" value="{expected.pk}">' in page


def test_a_refresh_ends_the_tests_whose_time_is_up(supervising, session, invigilator):
    candidate = started(session, invigilator)
    Candidate.objects.filter(pk=candidate.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    supervising.get(url("live", session))
    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.FINISHED


def test_the_live_list_reads_a_constant_number_of_queries(
    supervising, session, invigilator, django_assert_max_num_queries
):
    started(session, invigilator)
    services.raise_alert(started(session, invigilator), DEVICE)
    with django_assert_max_num_queries(9) as few:
        supervising.get(url("live", session))
    for _ in range(4):
        started(session, invigilator)
        make_candidate(session)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = supervising.get(url("live", session))
    assert response.content.count(b'class="card supervision-candidate') == 10
