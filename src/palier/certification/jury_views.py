"""The jury and publication page of a session (/certification/surveillance/<id>/jury/).

The centre's staff and platform administrators read it (`access_jury_session`; 404 for
anyone else); the centre's admins and platform administrators decide (`jury_services.can_review`;
403 for the others): review a result "to be reviewed", publish the decided results once the
session is finalised, revoke a certificate with a reason.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.certification import jury_services
from palier.certification.access import access_jury_session, access_session_candidate
from palier.certification.errors import CertificationError
from palier.certification.jury import MIN_ANSWERS
from palier.certification.models import Candidate, Session
from palier.certification.supervision_forms import ReviewForm, RevokeForm
from palier.certification.supervision_queries import display_name, jury_board
from palier.core.http import method_not_allowed
from palier.engine import CERTIFICATION_THRESHOLD


def jury_url(session: Session, candidate: Candidate | None = None) -> str:
    url = reverse("supervision:jury", args=[session.pk])
    return f"{url}#resultat-{candidate.pk}" if candidate is not None else url


def _can_decide(request: HttpRequest, session: Session) -> bool:
    return jury_services.can_review(request.user, Candidate(session=session))


def _page(
    request: HttpRequest,
    session: Session,
    bound: tuple[int, ReviewForm | RevokeForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The page; `bound` is (candidate id, form) for a form sent back with its errors."""
    board = jury_board(session)
    for row in board.rows:
        pk = row.candidate.pk
        row.review_form = ReviewForm(prefix=f"review-{pk}")
        row.revoke_form = RevokeForm(prefix=f"revoke-{pk}")
        if bound is not None and bound[0] == pk:
            if isinstance(bound[1], ReviewForm):
                row.review_form = bound[1]
            else:
                row.revoke_form = bound[1]
    return render(
        request,
        "certification/supervision/jury.html",
        {
            "session": session,
            "board": board,
            "can_decide": _can_decide(request, session),
            "has_errors": bound is not None,
            "min_answers": MIN_ANSWERS,
            "threshold_percent": round(CERTIFICATION_THRESHOLD * 100),
        },
        status=status,
    )


def jury(request: HttpRequest, session_id: int) -> HttpResponse:
    """Each candidate's decision in force, and the reviewers' forms."""
    session = access_jury_session(request.user, session_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    return _page(request, session)


def _require_reviewer(request: HttpRequest, session: Session) -> None:
    if not _can_decide(request, session):
        raise PermissionDenied


def review(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    """Certify or reject a result, with the reason (a new decision in force)."""
    session = access_jury_session(request.user, session_id)
    candidate = access_session_candidate(session, candidate_id)
    if refused := method_not_allowed(request, "POST"):
        return refused
    _require_reviewer(request, session)
    form = ReviewForm(request.POST, prefix=f"review-{candidate.pk}")
    status = 400
    if form.is_valid():
        try:
            jury_services.review(
                candidate, request.user, form.cleaned_data["outcome"], form.cleaned_data["comment"]
            )
        except CertificationError as error:
            form.add_service_error(error)
            status = error.status
        else:
            messages.success(
                request,
                _("Décision enregistrée pour %(name)s.") % {"name": display_name(candidate)},
            )
            return redirect(jury_url(session, candidate))
    return _page(request, session, (candidate.pk, form), status)


def publish(request: HttpRequest, session_id: int) -> HttpResponse:
    """Publish the decided results of the finalised session."""
    session = access_jury_session(request.user, session_id)
    if refused := method_not_allowed(request, "POST"):
        return refused
    _require_reviewer(request, session)
    try:
        published = jury_services.publish_results(session, request.user)
    except CertificationError as error:
        messages.error(request, error.message)
        return redirect(jury_url(session))
    waiting = jury_board(session).to_review_count
    text = ngettext("%(count)s résultat publié.", "%(count)s résultats publiés.", published) % {
        "count": published
    }
    if waiting:
        text += " " + ngettext(
            "%(count)s résultat attend encore un examen.",
            "%(count)s résultats attendent encore un examen.",
            waiting,
        ) % {"count": waiting}
    messages.success(request, text)
    return redirect(jury_url(session))


def revoke(request: HttpRequest, session_id: int, candidate_id: int) -> HttpResponse:
    """Revoke a candidate's certificate, with the reason."""
    session = access_jury_session(request.user, session_id)
    candidate = access_session_candidate(session, candidate_id)
    if refused := method_not_allowed(request, "POST"):
        return refused
    _require_reviewer(request, session)
    certificate = getattr(candidate, "certificate", None)
    if certificate is None:
        raise Http404
    form = RevokeForm(request.POST, prefix=f"revoke-{candidate.pk}")
    if form.is_valid():
        try:
            jury_services.revoke_certificate(certificate, request.user, form.cleaned_data["reason"])
        except CertificationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                _("Le certificat %(code)s est révoqué.") % {"code": certificate.code},
            )
            return redirect(jury_url(session, candidate))
    return _page(request, session, (candidate.pk, form), 400)
