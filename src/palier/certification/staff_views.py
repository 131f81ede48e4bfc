"""A certification centre's staff pages: sessions, a session and its candidates, results,
the attendance sheet and the session report (the candidates' import is in
staff_import_views). Every view goes through certification.access: anyone who is not staff
of the centre gets 404; members read, only admins change (403)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.certification import centre_services, enrolment
from palier.certification.access import (
    access_centre,
    access_centre_session,
    access_session_candidate,
)
from palier.certification.centre_queries import (
    centre_sessions,
    session_areas,
    session_candidates,
    session_results,
    split_sessions,
)
from palier.certification.errors import CertificationError
from palier.certification.forms import EnrolForm, SessionForm
from palier.certification.models import Centre, Session
from palier.core.http import method_not_allowed, posted
from palier.frameworks.queries import current_framework
from palier.organisations.models import Membership

# A service's field names -> the form's, where they differ.
FORM_FIELDS = {"invigilators": "invigilator_emails", "extra_time_percent": "extra_time_percent"}


def staff_centre(user: User, slug: str, admin: bool = False) -> tuple[Centre, Membership]:
    """The centre of organisation `slug` with its organisation loaded (404/403 as the gate)."""
    centre, membership = access_centre(user, slug, admin_required=admin)
    centre.organisation = membership.organisation
    return centre, membership


def staff_session(
    request: HttpRequest, slug: str, session_id: int, admin: bool = False
) -> tuple[Session, Membership]:
    """A session of the centre `slug`; a member asking to change it gets 403, after the
    session's lookup (another centre's session id is a 404 for everyone)."""
    centre, membership = staff_centre(request.user, slug)
    session = access_centre_session(centre, session_id)
    session.centre = centre
    if admin and not membership.is_admin:
        raise PermissionDenied
    return session, membership


def add_service_error(form: Any, error: CertificationError) -> None:
    """Show a service's refusal on the form: on its fields when it names them."""
    placed = False
    for name, problems in error.fields.items():
        field = FORM_FIELDS.get(name, name)
        if field in form.fields:
            for problem in problems:
                form.add_error(field, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


# --- sessions -----------------------------------------------------------------------------


def sessions(request: HttpRequest, slug: str) -> HttpResponse:
    centre, membership = staff_centre(request.user, slug)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    upcoming, past = split_sessions(list(centre_sessions(centre)))
    return render(
        request,
        "certification/staff/sessions.html",
        {
            "organisation": centre.organisation,
            "is_admin": membership.is_admin,
            "upcoming": upcoming,
            "past": past,
        },
    )


def session_create(request: HttpRequest, slug: str) -> HttpResponse:
    centre, _membership = staff_centre(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    framework = current_framework()
    if framework is None:
        raise Http404
    form = SessionForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            session = centre_services.create_session(
                centre,
                request.user,
                form.session_values(),
                invigilator_password=form.cleaned_data["invigilator_password"],
                invigilators=form.cleaned_data["invigilator_emails"],
                framework=framework,
            )
        except CertificationError as error:
            add_service_error(form, error)
        else:
            messages.success(
                request,
                _("Session créée. Son code d'accès : %(code)s.") % {"code": session.access_code},
            )
            return redirect("certification_staff:session", slug, session.pk)
    return render(
        request,
        "certification/staff/session_form.html",
        {"organisation": centre.organisation, "form": form, "session": None},
    )


def session_edit(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session, _membership = staff_session(request, slug, session_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    form = SessionForm(posted(request), session=session)
    if request.method == "POST" and form.is_valid():
        try:
            centre_services.update_session(
                session,
                form.session_values(),
                invigilators=form.cleaned_data["invigilator_emails"],
                invigilator_password=form.cleaned_data["invigilator_password"],
            )
        except CertificationError as error:
            add_service_error(form, error)
        else:
            messages.success(request, _("Session enregistrée."))
            return redirect("certification_staff:session", slug, session.pk)
    return render(
        request,
        "certification/staff/session_form.html",
        {"organisation": session.centre.organisation, "form": form, "session": session},
    )


def session_page(
    request: HttpRequest,
    session: Session,
    membership: Membership,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    """The session page (details, access code, candidates, enrolment form)."""
    context.setdefault("enrol_form", EnrolForm())
    return render(
        request,
        "certification/staff/session.html",
        {
            "organisation": session.centre.organisation,
            "session": session,
            "is_admin": membership.is_admin,
            "candidates": list(session_candidates(session)),
            "invigilators": list(session.invigilators.order_by("last_name", "email")),
            "can_open": session.status == Session.Status.SCHEDULED,
            "can_enrol": session.status in centre_services.ACTIVE_STATUSES,
            **context,
        },
        status=status,
    )


def session_detail(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session, membership = staff_session(request, slug, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    return session_page(request, session, membership)


def _session_action(request: HttpRequest, slug: str, session_id: int, action: str):
    """Open, cancel or give a new access code to a session (POST, admins)."""
    session, membership = staff_session(request, slug, session_id, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    operations = {
        "open": (
            centre_services.open_session,
            _("Session ouverte : les candidats peuvent entrer le code."),
        ),
        "cancel": (centre_services.cancel_session, _("Session annulée.")),
        "new_code": (centre_services.new_access_code, _("Nouveau code d'accès attribué.")),
    }
    operation, done = operations[action]
    try:
        if action == "new_code":
            operation(session)
        else:
            operation(session, request.user)
    except CertificationError as error:
        return session_page(request, session, membership, error.status, error_message=error.message)
    messages.success(request, done)
    return redirect("certification_staff:session", slug, session.pk)


def session_open(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    return _session_action(request, slug, session_id, "open")


def session_cancel(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    return _session_action(request, slug, session_id, "cancel")


def session_new_code(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    return _session_action(request, slug, session_id, "new_code")


# --- candidates ---------------------------------------------------------------------------


def candidate_enrol(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session, membership = staff_session(request, slug, session_id, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = EnrolForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            candidate = enrolment.enrol_candidate(
                session,
                data["email"],
                extra_time_percent=data["extra_time_percent"],
                screen_reader=data["screen_reader"],
                override_reason=data["override_reason"],
                by=request.user,
            )
        except CertificationError as error:
            add_service_error(form, error)
            return session_page(request, session, membership, error.status, enrol_form=form)
        messages.success(
            request,
            _("Candidat inscrit : %(name)s.")
            % {"name": candidate.user.get_full_name() or candidate.user.email},
        )
        return redirect("certification_staff:session", slug, session.pk)
    return session_page(request, session, membership, enrol_form=form)


def candidate_remove(
    request: HttpRequest, slug: str, session_id: int, candidate_id: int
) -> HttpResponse:
    session, membership = staff_session(request, slug, session_id, admin=True)
    candidate = access_session_candidate(session, candidate_id)
    if refused := method_not_allowed(request, "POST"):
        return refused
    try:
        enrolment.remove_candidate(candidate)
    except CertificationError as error:
        return session_page(request, session, membership, error.status, error_message=error.message)
    messages.success(
        request,
        _("Candidat retiré de la session : %(name)s.")
        % {"name": candidate.user.get_full_name() or candidate.user.email},
    )
    return redirect("certification_staff:session", slug, session.pk)


# --- results and documents ----------------------------------------------------------------


def results(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session, _membership = staff_session(request, slug, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    areas = session_areas(session)
    rows = [
        (result, [result.level(area.code) for area in areas]) for result in session_results(session)
    ]
    return render(
        request,
        "certification/staff/results.html",
        {
            "organisation": session.centre.organisation,
            "session": session,
            "areas": areas,
            "rows": rows,
        },
    )


def _pdf(request: HttpRequest, slug: str, session_id: int, kind: str) -> HttpResponse:
    session, _membership = staff_session(request, slug, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    # Imported here: the documents module draws PDFs with reportlab, loaded only when asked.
    from palier.certification import documents

    language = (get_language() or "fr")[:2]
    if kind == "attendance":
        data, name = documents.attendance_sheet_pdf(session, language), "emargement"
    else:
        data, name = documents.session_report_pdf(session, language), "rapport"
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="session-{session.pk}-{name}.pdf"'
    return response


def attendance_sheet(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    return _pdf(request, slug, session_id, "attendance")


def session_report(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    return _pdf(request, slug, session_id, "report")
