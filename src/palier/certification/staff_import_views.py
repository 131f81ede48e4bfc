"""Import of a session's candidates from a CSV file (centre admins): send a file, read the
dry run's result, then confirm without choosing the file again (the checked file travels in
a signed token, see certification.candidate_import). Same steps and wording as the
campaigns' expected learners' import."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.certification import enrolment
from palier.certification.candidate_import import (
    MAX_CANDIDATE_ROWS,
    MAX_FILE_BYTES,
    PENDING_IMPORT_MINUTES,
    TEMPLATE_HEADER,
    data_from_token,
    pending_token,
    read_limited,
)
from palier.certification.errors import CertificationError
from palier.certification.forms import CandidateImportForm, ConfirmImportForm
from palier.certification.models import Session
from palier.certification.staff_views import staff_session
from palier.core.csv import default_delimiter, write_csv
from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed


def _page(request: HttpRequest, session: Session, status: int = 200, **context: Any):
    context.setdefault("form", CandidateImportForm())
    return render(
        request,
        "certification/staff/import.html",
        {
            "session": session,
            "organisation": session.centre.organisation,
            "candidate_count": session.candidates.count(),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": MAX_CANDIDATE_ROWS,
            "pending_minutes": PENDING_IMPORT_MINUTES,
            **context,
        },
        status=status,
    )


def _done(request: HttpRequest, session: Session, created: int, updated: int) -> HttpResponse:
    messages.success(
        request,
        _("Import enregistré : %(created)s, %(updated)s.")
        % {
            "created": ngettext(
                "%(count)d candidat inscrit", "%(count)d candidats inscrits", created
            )
            % {"count": created},
            "updated": ngettext(
                "%(count)d candidat mis à jour", "%(count)d candidats mis à jour", updated
            )
            % {"count": updated},
        },
    )
    return redirect("certification_staff:session", session.centre.organisation.slug, session.pk)


def _refused(request: HttpRequest, session: Session, error: ServiceError, status: int = 200):
    return _page(
        request,
        session,
        status,
        error_message=error.message,
        errors=error.fields.get("file", []),
    )


def candidate_import(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    session, _membership = staff_session(request, slug, session_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    if request.method != "POST":
        return _page(request, session)
    form = CandidateImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, session, form=form)
    dry_run = form.cleaned_data["dry_run"]
    try:
        data = read_limited(form.cleaned_data["file"])
        plan = enrolment.import_candidate_data(session, data, dry_run=dry_run, by=request.user)
    except ServiceError as error:
        # The page answers 200, as every form page does with its errors.
        return _refused(request, session, error)
    if not dry_run:
        return _done(request, session, plan.created, plan.updated)
    return _page(
        request,
        session,
        plan=plan,
        confirm_form=ConfirmImportForm(
            initial={"token": pending_token(session, request.user, data)}
        ),
    )


def candidate_import_confirm(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """Import the file checked by the admin's dry run on this session."""
    session, _membership = staff_session(request, slug, session_id, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = ConfirmImportForm(request.POST)
    try:
        if not form.is_valid():
            raise CertificationError(400, "invalid_token", _("Simulation introuvable."))
        data = data_from_token(session, request.user, form.cleaned_data["token"])
        plan = enrolment.import_candidate_data(session, data, dry_run=False, by=request.user)
    except ServiceError as error:
        return _refused(request, session, error, error.status)
    return _done(request, session, plan.created, plan.updated)


def import_template(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    """An example file with the expected columns."""
    staff_session(request, slug, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    example = [
        ("prenom.nom@example.org", "0", "non", ""),
        ("autre.candidat@example.org", "33", "oui", ""),
    ]
    text = write_csv(TEMPLATE_HEADER, example, delimiter=default_delimiter())
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="candidats.csv"'
    return response
