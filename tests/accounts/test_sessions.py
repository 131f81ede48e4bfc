"""Sessions end after an idle time and at a maximum age, sooner for privileged users.

The clock is moved by rewriting the session's stamps, never by sleeping."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from palier.accounts.roles import Role
from palier.accounts.sessions import ACTIVE_AT, LOGIN_AT, PRIVILEGED, session_limits
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db
PROFILE = "accounts:profile"


def move_back(client, *, idle: timedelta = timedelta(0), since_login: timedelta = timedelta(0)):
    """Pretend the last request was `idle` ago and the login `since_login` ago."""
    session = client.session
    session[ACTIVE_AT] -= idle.total_seconds()
    session[LOGIN_AT] -= since_login.total_seconds()
    session.save()


def signed_out(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


def test_a_learner_stays_signed_in_within_the_idle_time(client):
    client.force_login(make_user())
    move_back(client, idle=timedelta(minutes=settings.PALIER_SESSION_IDLE_MINUTES - 1))
    assert client.get(reverse(PROFILE)).status_code == 200


def test_a_learner_idle_too_long_comes_back_to_the_login_page_with_the_way_back(client):
    client.force_login(make_user())
    move_back(client, idle=timedelta(minutes=settings.PALIER_SESSION_IDLE_MINUTES + 1))
    response = client.get("/positionnement/")
    assert signed_out(response)
    assert "next=/positionnement/" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_a_busy_learner_is_still_signed_out_at_the_maximum_age(client):
    client.force_login(make_user())
    move_back(client, since_login=timedelta(hours=settings.PALIER_SESSION_MAX_HOURS, minutes=1))
    assert signed_out(client.get(reverse(PROFILE)))


@pytest.mark.parametrize(
    "make_privileged",
    [
        lambda: make_user(is_staff=True),
        lambda: make_user(roles=(Role.AUTHOR,)),
        lambda: make_member(make_organisation()),
    ],
    ids=["staff", "author", "organisation team"],
)
def test_privileged_users_have_a_shorter_idle_time(client, make_privileged):
    client.force_login(make_privileged())
    assert client.session[PRIVILEGED] is True
    move_back(client, idle=timedelta(minutes=settings.PALIER_PRIVILEGED_SESSION_IDLE_MINUTES + 1))
    assert signed_out(client.get(reverse(PROFILE)))


def test_privileged_sessions_end_after_the_shorter_maximum_age(client):
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,)))
    move_back(client, since_login=timedelta(hours=settings.PALIER_PRIVILEGED_SESSION_MAX_HOURS + 1))
    assert signed_out(client.get(reverse(PROFILE)))


def test_activity_pushes_the_idle_deadline_back(client):
    client.force_login(make_user())
    idle = timedelta(minutes=settings.PALIER_SESSION_IDLE_MINUTES)
    move_back(client, idle=idle - timedelta(minutes=5))
    assert client.get(reverse(PROFILE)).status_code == 200  # refreshes the activity stamp
    move_back(client, idle=timedelta(minutes=10))
    assert client.get(reverse(PROFILE)).status_code == 200


def test_a_session_from_before_the_stamps_gets_them_on_its_next_request(client):
    client.force_login(make_user(is_staff=True))
    session = client.session
    for key in (LOGIN_AT, ACTIVE_AT, PRIVILEGED):
        del session[key]
    session.save()
    assert client.get(reverse(PROFILE)).status_code == 200
    assert client.session[PRIVILEGED] is True and LOGIN_AT in client.session


def test_privileged_limits_are_shorter_than_learners():
    learner_idle, learner_max = session_limits(privileged=False)
    privileged_idle, privileged_max = session_limits(privileged=True)
    assert privileged_idle < learner_idle and privileged_max < learner_max
