"""Session lifetimes: an idle timeout and an absolute lifetime, shorter for privileged users.

A learner is signed out after PALIER_SESSION_IDLE_MINUTES without a request and at the latest
PALIER_SESSION_MAX_HOURS after signing in. Staff, administrators, holders of any platform role
other than learner and members of an organisation's team see other people's data: they get
PALIER_PRIVILEGED_SESSION_IDLE_MINUTES and PALIER_PRIVILEGED_SESSION_MAX_HOURS.

The sign-in time and whether the user is privileged are stamped in the session at login (one
query then, none per request). The last-activity stamp is rewritten at most once per
ACTIVITY_RESOLUTION, so ordinary requests do not each cost a session write. A user signed out
mid-test lands on the login page with `?next=` the page they asked for, and resumes the test
after signing in: answers are stored server-side as they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

LOGIN_AT = "palier_login_at"
ACTIVE_AT = "palier_active_at"
PRIVILEGED = "palier_privileged"
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def is_privileged(user: Any) -> bool:
    """Staff, superusers, holders of a platform role other than learner, team members."""
    if user.is_staff or user.is_superuser:
        return True
    if user.role_assignments.exists():
        return True
    return user.memberships.exists()


def session_limits(privileged: bool) -> tuple[timedelta, timedelta]:
    """(idle timeout, absolute lifetime) for a privileged or an ordinary session."""
    if privileged:
        return (
            timedelta(minutes=settings.PALIER_PRIVILEGED_SESSION_IDLE_MINUTES),
            timedelta(hours=settings.PALIER_PRIVILEGED_SESSION_MAX_HOURS),
        )
    return (
        timedelta(minutes=settings.PALIER_SESSION_IDLE_MINUTES),
        timedelta(hours=settings.PALIER_SESSION_MAX_HOURS),
    )


def stamp_session(session: Any, user: Any, now: datetime) -> None:
    """Record the sign-in time, the activity time and the user's privilege in the session."""
    session[LOGIN_AT] = now.timestamp()
    session[ACTIVE_AT] = now.timestamp()
    session[PRIVILEGED] = is_privileged(user)


@receiver(user_logged_in, dispatch_uid="palier.accounts.sessions.stamp")
def _stamp_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None and hasattr(request, "session"):
        stamp_session(request.session, user, timezone.now())


def session_expired(session: Any, now: datetime) -> bool:
    """True when the signed-in session is past its idle timeout or its absolute lifetime.

    A session without stamps has not been seen by the middleware yet: not expired."""
    login_at = session.get(LOGIN_AT)
    active_at = session.get(ACTIVE_AT)
    if login_at is None or active_at is None:
        return False
    idle, lifetime = session_limits(bool(session.get(PRIVILEGED, True)))
    moment = now.timestamp()
    return moment - active_at > idle.total_seconds() or moment - login_at > lifetime.total_seconds()


class SessionTimeoutMiddleware:
    """Signs out expired sessions before the view runs (after AuthenticationMiddleware, before
    LoginRequiredMiddleware, which then sends the request to the login page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if session.get(SESSION_KEY) is not None:
            now = timezone.now()
            if session.get(LOGIN_AT) is None:
                # A session opened before the stamps existed: start counting now.
                if request.user.is_authenticated:
                    stamp_session(session, request.user, now)
            elif session_expired(session, now):
                logout(request)
            elif now.timestamp() - session[ACTIVE_AT] >= ACTIVITY_RESOLUTION.total_seconds():
                session[ACTIVE_AT] = now.timestamp()
        return self.get_response(request)
