"""The candidate's pages: enter the session code, wait for the invigilator, sit the test,
then see the published result.

The device a candidate sits the test on is this browser's session: a random token kept in
it (`_device`) and recorded on the candidacy when the candidate enters the code.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from palier.assessments import queries as assessment_queries
from palier.assessments.results import synthetic_calibration
from palier.certification import documents, jury_services, queries, services
from palier.certification.access import access_candidacy
from palier.certification.errors import CertificationError
from palier.certification.jury import MIN_ANSWERS
from palier.certification.models import Alert, Candidate
from palier.items.formats import AnswerError, answer_from_form

DEVICE_KEY = "palier_certification_device"
Status = Candidate.Status


def _device(request: HttpRequest) -> str:
    token = request.session.get(DEVICE_KEY)
    if not token:
        token = services.new_device_token()
        request.session[DEVICE_KEY] = token
    return token


def _language() -> str:
    language = (get_language() or "fr")[:2]
    return language if language in ("fr", "en") else "fr"


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "certification/candidate/home.html",
        {"candidacies": queries.candidacies_of(request.user)},
    )


@require_POST
def join(request: HttpRequest) -> HttpResponse:
    code = request.POST.get("code", "")
    try:
        candidate = services.join_session(request.user, code, _device(request))
    except CertificationError as error:
        return render(
            request,
            "certification/candidate/home.html",
            {
                "candidacies": queries.candidacies_of(request.user),
                "code_error": error.message,
                "code": code[:20],
            },
            status=error.status,
        )
    return redirect("certification:candidacy", candidate.pk)


@require_http_methods(["GET", "POST"])
def candidacy(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Where the candidate stands: waiting, the current question, or the end."""
    candidate = access_candidacy(request.user, candidate_id)
    device = _device(request)
    candidate = services.seen(candidate, device)
    if candidate.status == Status.IN_PROGRESS:
        candidate = services.expire(candidate)
    error = None
    if request.method == "POST" and candidate.status == Status.IN_PROGRESS:
        error = _answer(request, candidate, device)
        if error is None:
            return redirect("certification:candidacy", candidate.pk)
        candidate = access_candidacy(request.user, candidate_id)
    context = {"candidate": candidate, "session": candidate.session, "error": error}
    on_this_device = candidate.device_token == device
    if candidate.status in (Status.FINISHED, Status.ENDED, Status.ABSENT):
        return _over(request, candidate)
    if (
        not on_this_device
        or candidate.awaiting_authorisation
        or candidate.status
        in (
            Status.EXPECTED,
            Status.PRESENT,
        )
    ):
        context["on_this_device"] = on_this_device
        return render(request, "certification/candidate/waiting.html", context)
    if candidate.status == Status.AUTHORISED:
        return render(request, "certification/candidate/ready.html", context)
    attempt = candidate.attempt
    context.update(
        {
            "attempt": attempt,
            "view": assessment_queries.current_view(attempt),
            "seconds_left": services.time_left(candidate),
            "alert": candidate.alerts.filter(status=Alert.Status.OPEN).first(),
            "max_questions": attempt.engine_settings.max_items,
        }
    )
    return render(
        request, "certification/candidate/question.html", context, status=422 if error else 200
    )


def _answer(request: HttpRequest, candidate: Candidate, device: str) -> str | None:
    attempt = candidate.attempt
    position = request.POST.get("position", "")
    if not position.isdigit() or attempt is None or attempt.current_version is None:
        return _("La question envoyée est incomplète ; réessayez.")
    version = attempt.current_version
    try:
        raw = answer_from_form(version.format, version.definition, request.POST)
        services.answer(candidate, device, int(position), raw)
    except AnswerError as problem:
        return str(problem)
    except CertificationError as problem:
        if problem.code in ("not_current_question", "attempt_finished", "time_up"):
            return None  # the page shows where the test stands now
        return problem.message
    return None


def _over(request: HttpRequest, candidate: Candidate) -> HttpResponse:
    decision = queries.published_decision(candidate)
    certificate = getattr(candidate, "certificate", None) if decision else None
    return render(
        request,
        "certification/candidate/over.html",
        {
            "candidate": candidate,
            "session": candidate.session,
            "decision": decision,
            "areas": queries.certified_areas(candidate.session.framework_id, decision.levels)
            if decision
            else [],
            "certificate": certificate,
            "verification_url": documents.verification_url(certificate.code) if certificate else "",
            "min_answers": MIN_ANSWERS,
            "synthetic_calibration": bool(
                candidate.attempt and synthetic_calibration(candidate.attempt)
            ),
            "organisations": jury_services.shareable_organisations(request.user)
            if decision
            else [],
            "shared": set(
                candidate.shares.filter(stopped_at__isnull=True).values_list(
                    "organisation_id", flat=True
                )
            ),
        },
    )


@require_POST
def start(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = access_candidacy(request.user, candidate_id)
    try:
        services.start_test(candidate, _device(request), _language())
    except CertificationError as error:
        messages.error(request, error.message)
    return redirect("certification:candidacy", candidate.pk)


@require_POST
def alert(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """ "Signaler un problème": the question is frozen until the invigilator decides."""
    candidate = access_candidacy(request.user, candidate_id)
    try:
        services.raise_alert(candidate, _device(request), request.POST.get("comment", ""))
    except CertificationError as error:
        messages.error(request, error.message)
    return redirect("certification:candidacy", candidate.pk)


@require_GET
def state(request: HttpRequest, candidate_id: int) -> JsonResponse:
    """What the waiting pages poll: they reload when this changes."""
    candidate = access_candidacy(request.user, candidate_id)
    candidate = services.seen(candidate, _device(request))
    open_alert = candidate.alerts.filter(status=Alert.Status.OPEN).exists()
    return JsonResponse(
        {
            "status": candidate.status,
            "awaiting_authorisation": candidate.awaiting_authorisation,
            "question_frozen": open_alert,
            "position": candidate.attempt.current_position if candidate.attempt else None,
        }
    )


@require_POST
def share(request: HttpRequest, candidate_id: int) -> HttpResponse:
    candidate = access_candidacy(request.user, candidate_id)
    organisation = request.POST.get("organisation", "")
    try:
        if request.POST.get("stop"):
            jury_services.stop_sharing(candidate, int(organisation))
            messages.success(request, _("Le partage est arrêté."))
        else:
            jury_services.share_result(
                candidate, int(organisation) if organisation.isdigit() else 0
            )
            messages.success(request, _("Votre résultat est partagé avec cette organisation."))
    except (CertificationError, ValueError) as error:
        messages.error(request, getattr(error, "message", _("Organisation introuvable.")))
    return redirect("certification:candidacy", candidate.pk)
