"""The invigilators' supervision page of a session (/certification/surveillance/<id>/).

Its invigilators and the centre's staff reach it (`access_supervised_session`; 404 for
anyone else), then type the session's invigilator password once per sign-in. The page
shows the access code, the live list of candidates and the open alerts (a fragment that
supervision.js fetches again every few seconds; without JavaScript, a plain reload), and
the actions of exam day: authorise, end a test, close a device, handle an alert, note an
incident, finalise. Every action is a POST form that works without JavaScript; what it
changes is decided by the exam-day services, whose refusals are shown as messages or form
errors. Once finalised, the page is read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from palier.certification import jury, services
from palier.certification.access import (
    access_session_alert,
    access_session_candidate,
    access_supervised_session,
    can_read_results,
)
from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Session
from palier.certification.supervision_forms import FinaliseForm, IncidentForm, PasswordForm
from palier.certification.supervision_queries import display_name, live_list
from palier.certification.supervision_services import unlock_supervision
from palier.core.http import method_not_allowed

#: The live list is fetched again this often (seconds).
REFRESH_SECONDS = 5
# Django-session key: the ids of the sessions whose password this browser typed.
UNLOCKED_KEY = "certification_supervised_sessions"


def _unlocked(request: HttpRequest, session: Session) -> bool:
    return session.pk in request.session.get(UNLOCKED_KEY, [])


def page_url(session: Session, candidate: Candidate | None = None) -> str:
    url = reverse("supervision:page", args=[session.pk])
    return f"{url}#candidat-{candidate.pk}" if candidate is not None else url


def supervise(request: HttpRequest, session_id: int) -> HttpResponse:
    """The supervision page; before it, the password form (POST checks the password)."""
    session = access_supervised_session(request.user, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    if _unlocked(request, session):
        if request.method == "POST":
            return redirect(page_url(session))
        services.expire_due(session)
        return _page(request, session)
    form = PasswordForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_bound:
        status = 400
        if form.is_valid():
            try:
                if unlock_supervision(request.user, session, form.cleaned_data["password"]):
                    unlocked = request.session.get(UNLOCKED_KEY, [])
                    request.session[UNLOCKED_KEY] = [*unlocked, session.pk]
                    return redirect(page_url(session))
                form.add_error("password", _("Mot de passe incorrect."))
            except CertificationError as error:
                form.add_error("password", error.message)
                status = error.status
    return render(
        request,
        "certification/supervision/password.html",
        {"session": session, "form": form},
        status=status,
    )


def _candidates(session: Session) -> list[Candidate]:
    return list(
        session.candidates.select_related("user").order_by(
            "user__last_name", "user__first_name", "pk"
        )
    )


def _page(
    request: HttpRequest,
    session: Session,
    incident_form: IncidentForm | None = None,
    finalise_form: FinaliseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    candidates = _candidates(session)
    chosen = request.GET.get("candidat", "")
    if incident_form is None:
        incident_form = IncidentForm(
            candidates=candidates,
            initial={"candidate": chosen} if chosen.isdigit() else None,
        )
    return render(
        request,
        "certification/supervision/page.html",
        {
            "session": session,
            "live": live_list(session),
            "incidents": session.incidents.select_related("candidate__user"),
            "incident_form": incident_form,
            "finalise_form": finalise_form or FinaliseForm(candidates=candidates),
            "refresh_seconds": REFRESH_SECONDS,
            "can_read_results": can_read_results(request.user, session),
        },
        status=status,
    )


def live(request: HttpRequest, session_id: int) -> HttpResponse:
    """The live list alone, fetched again by the page's script every few seconds."""
    session = access_supervised_session(request.user, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    if not _unlocked(request, session):
        return HttpResponseForbidden()
    services.expire_due(session)
    return render(
        request,
        "certification/supervision/_live.html",
        {"session": session, "live": live_list(session)},
    )


SupervisionView = Callable[..., HttpResponse]


def supervision_action(*methods: str) -> Callable[[SupervisionView], SupervisionView]:
    """The gate, the allowed methods and the password of the supervision page, then the
    view with the session instead of its id."""

    def decorator(view: SupervisionView) -> SupervisionView:
        @wraps(view)
        def wrapped(request: HttpRequest, session_id: int, **kwargs: int) -> HttpResponse:
            session = access_supervised_session(request.user, session_id)
            if refused := method_not_allowed(request, *methods):
                return refused
            if not _unlocked(request, session):
                return redirect(page_url(session))
            return view(request, session, **kwargs)

        return wrapped

    return decorator


def _done(request: HttpRequest, session: Session, run: Callable[[], object], success: str):
    """Run a service; its refusal becomes an error message. Back to the page either way."""
    try:
        run()
    except CertificationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect(page_url(session))


@supervision_action("POST")
def authorise(request: HttpRequest, session: Session, candidate_id: int) -> HttpResponse:
    candidate = access_session_candidate(session, candidate_id)
    return _done(
        request,
        session,
        lambda: services.authorise(candidate, request.user),
        _("%(name)s : départ autorisé.") % {"name": display_name(candidate)},
    )


@supervision_action("POST")
def release_device(request: HttpRequest, session: Session, candidate_id: int) -> HttpResponse:
    candidate = access_session_candidate(session, candidate_id)
    return _done(
        request,
        session,
        lambda: services.release_device(candidate, request.user),
        _(
            "%(name)s : appareil déconnecté. Le candidat peut reprendre sur un autre appareil, "
            "après votre autorisation."
        )
        % {"name": display_name(candidate)},
    )


@supervision_action("GET", "HEAD", "POST")
def end_test(request: HttpRequest, session: Session, candidate_id: int) -> HttpResponse:
    """GET asks for confirmation; POST ends the candidate's test (answers kept and judged)."""
    candidate = access_session_candidate(session, candidate_id)
    if request.method == "POST":
        return _done(
            request,
            session,
            lambda: services.end_test(candidate, request.user),
            _("%(name)s : épreuve arrêtée.") % {"name": display_name(candidate)},
        )
    if candidate.status not in (Candidate.Status.AUTHORISED, Candidate.Status.IN_PROGRESS):
        messages.info(
            request,
            _("%(name)s : l'épreuve n'est pas en cours.") % {"name": display_name(candidate)},
        )
        return redirect(page_url(session, candidate))
    return render(
        request,
        "certification/supervision/confirm_end.html",
        {
            "session": session,
            "candidate": candidate,
            "name": display_name(candidate),
            "min_answers": jury.MIN_ANSWERS,
        },
    )


@supervision_action("POST")
def validate_alert(request: HttpRequest, session: Session, alert_id: int) -> HttpResponse:
    alert = access_session_alert(session, alert_id)
    return _done(
        request,
        session,
        lambda: services.validate_alert(alert, request.user),
        _("%(name)s : signalement validé, la question n° %(position)s est remplacée.")
        % {"position": alert.position, "name": display_name(alert.candidate)},
    )


@supervision_action("POST")
def dismiss_alert(request: HttpRequest, session: Session, alert_id: int) -> HttpResponse:
    alert = access_session_alert(session, alert_id)
    return _done(
        request,
        session,
        lambda: services.dismiss_alert(alert, request.user),
        _("%(name)s : signalement rejeté, le candidat reprend la même question.")
        % {"name": display_name(alert.candidate)},
    )


@supervision_action("POST")
def add_incident(request: HttpRequest, session: Session) -> HttpResponse:
    form = IncidentForm(request.POST, candidates=_candidates(session))
    if form.is_valid():
        try:
            services.add_incident(
                session,
                request.user,
                form.cleaned_data["category"],
                form.cleaned_data["comment"],
                form.chosen_candidate(),
            )
        except CertificationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("Incident noté."))
            return redirect(page_url(session) + "#incidents")
    return _page(request, session, incident_form=form, status=400)


@supervision_action("POST")
def finalise(request: HttpRequest, session: Session) -> HttpResponse:
    form = FinaliseForm(request.POST, candidates=_candidates(session))
    status = 400
    if form.is_valid():
        try:
            services.finalise_session(
                session, request.user, form.present_ids(), form.cleaned_data["report"]
            )
        except CertificationError as error:
            form.add_service_error(error)
            status = error.status
        else:
            messages.success(request, _("Session clôturée. Elle ne peut plus être modifiée."))
            return redirect(page_url(session))
    session.refresh_from_db()
    return _page(request, session, finalise_form=form, status=status)
