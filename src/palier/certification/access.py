"""Fetch-and-authorise: the one gate to each certification object.

- A centre's staff pages go through `access_centre` (the organisations' gate, then the
  centre's capability): anyone else gets 404, a member 403 on what only admins may do.
- A session on exam day goes through `access_supervised_session`: its invigilators and the
  centre's staff; anyone else gets 404.
- A candidate reaches only their own candidacies (`access_candidacy`); anything else is 404,
  the same answer as for an id that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from django.shortcuts import get_object_or_404

from palier.accounts.models import User
from palier.accounts.roles import Role, has_role
from palier.certification.models import Alert, Candidate, Centre, Session
from palier.organisations.access import access_organisation
from palier.organisations.models import Membership


def centre_of(organisation_id: int) -> Centre:
    """The active centre of an organisation (404 when it is not one)."""
    return get_object_or_404(Centre, organisation_id=organisation_id, is_active=True)


def access_centre(user: User, slug: str, admin_required: bool = False) -> tuple[Centre, Membership]:
    """The centre of organisation `slug` and the user's membership in it."""
    organisation, membership = access_organisation(user, slug, admin_required)
    return centre_of(organisation.pk), membership


def access_centre_session(centre: Centre, session_id: int) -> Session:
    """A session of `centre` (404 for any other id)."""
    return get_object_or_404(
        Session.objects.select_related("framework"), pk=session_id, centre=centre
    )


def access_session_candidate(session: Session, candidate_id: int) -> Candidate:
    """A candidate of `session` (404 for any other id)."""
    return get_object_or_404(
        Candidate.objects.select_related("user", "attempt"), pk=candidate_id, session=session
    )


def can_supervise(user: User, session: Session) -> bool:
    """Invigilators of the session and the centre's staff supervise it."""
    if not user.is_authenticated:
        return False
    return (
        session.invigilators.filter(pk=user.pk).exists()
        or Membership.objects.filter(
            user=user, organisation_id=session.centre.organisation_id
        ).exists()
    )


def _session_for(user: User, session_id: int, allowed: Callable[[User, Session], bool]) -> Session:
    """The session `session_id` when `allowed(user, session)`; 404 otherwise, the same
    answer as for a session that does not exist."""
    session = (
        Session.objects.select_related("centre__organisation", "framework")
        .filter(pk=session_id)
        .first()
    )
    if session is None or not allowed(user, session):
        raise Http404
    return session


def access_supervised_session(user: User, session_id: int) -> Session:
    """A session the user supervises (404 otherwise)."""
    return _session_for(user, session_id, can_supervise)


def access_session_alert(session: Session, alert_id: int) -> Alert:
    """An alert raised by a candidate of `session` (404 for any other id)."""
    return get_object_or_404(
        Alert.objects.select_related("candidate__user"), pk=alert_id, candidate__session=session
    )


def access_jury_session(user: User, session_id: int) -> Session:
    """A session whose results the user may read: the centre's staff and platform
    administrators (404 otherwise; who may decide is `jury_services.can_review`)."""
    return _session_for(user, session_id, can_read_results)


def can_read_results(user: User, session: Session) -> bool:
    """The centre's staff and platform administrators read a session's results."""
    if not user.is_authenticated:
        return False
    return (
        has_role(user, Role.ADMINISTRATOR)
        or Membership.objects.filter(
            user=user, organisation_id=session.centre.organisation_id
        ).exists()
    )


def access_candidacy(user: User, candidate_id: int | str) -> Candidate:
    """One of the user's own candidacies (404 for any other id)."""
    try:
        key = int(candidate_id)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    candidate = (
        Candidate.objects.select_related(
            "session__centre__organisation", "session__framework", "attempt", "user"
        )
        .filter(pk=key, user=user)
        .first()
        if user.is_authenticated
        else None
    )
    if candidate is None:
        raise Http404
    return candidate
