"""The learner's positioning test: start, one question per page, result."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from palier.assessments import duration, pdf, queries, services, summary, verification
from palier.assessments.access import access_attempt
from palier.assessments.competences import competence_readings, competence_signals
from palier.assessments.results import probability_note, synthetic_calibration
from palier.assessments.signals import result_sections
from palier.core.http import client_ip
from palier.frameworks.queries import current_framework
from palier.items.errors import ItemError
from palier.items.formats import AnswerError, answer_from_form
from palier.items.forms import ProblemReportForm
from palier.items.services import report_problem

LANGUAGES = ("fr", "en")


def space(request: HttpRequest) -> HttpResponse:
    framework = current_framework()
    areas = list(framework.areas.all()) if framework else []
    return render(
        request,
        "assessments/space.html",
        {
            "framework": framework,
            "areas": areas,
            "history": queries.level_history(request.user, areas),
            "retake_from": services.retake_allowed_from(request.user),
            "attempts": queries.attempts_of(request.user)[:20],
            "current": queries.in_progress(request.user),
            "length": duration.length_of_a_new_test(framework),
        },
    )


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    ongoing = queries.in_progress(request.user)
    if ongoing is not None:
        return redirect("assessments:question", ongoing.pk)
    language = (get_language() or "fr")[:2]
    try:
        attempt = services.start_attempt(
            request.user,
            request.POST.getlist("areas") or None,
            language if language in LANGUAGES else "fr",
        )
    except services.AssessmentError as error:
        messages.error(request, error.message)
        return redirect("assessments:space")
    return redirect("assessments:question", attempt.pk)


@require_http_methods(["GET", "POST"])
def question(request: HttpRequest, attempt_id: str) -> HttpResponse:
    attempt = access_attempt(request.user, attempt_id)
    if attempt.is_finished:
        return redirect("assessments:result", attempt.pk)
    error = None
    if request.method == "POST":
        error = _answer(request, attempt)
        if error is None:
            return redirect("assessments:question", attempt.pk)
        attempt.refresh_from_db()
    return render(
        request,
        "assessments/question.html",
        {
            "attempt": attempt,
            "view": queries.current_view(attempt),
            "error": error,
            "progress": queries.progress(attempt),
            "seconds_left": queries.seconds_left(attempt),
            "report_form": ProblemReportForm(),
        },
        status=422 if error else 200,
    )


@require_POST
def report(request: HttpRequest, attempt_id: str) -> HttpResponse:
    """ "Signaler un problème" on the current question: lands in the authors' triage queue."""
    attempt = access_attempt(request.user, attempt_id)
    form = ProblemReportForm(request.POST)
    if attempt.current_version is None or not form.is_valid():
        messages.error(
            request, _("Le signalement n'a pas pu être enregistré : choisissez une catégorie.")
        )
    else:
        try:
            report_problem(
                request.user,
                attempt.current_version,
                form.cleaned_data["category"],
                form.cleaned_data["comment"],
            )
        except ItemError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Merci, votre signalement a été transmis à l'équipe qui rédige les questions."),
            )
    return redirect("assessments:question", attempt.pk)


def _already_counted(request: HttpRequest) -> None:
    messages.info(
        request, _("Cette réponse avait déjà été prise en compte ; voici la question en cours.")
    )


def _answer(request: HttpRequest, attempt) -> str | None:
    """Record the posted answer; an error message for the page, or None when done."""
    position = request.POST.get("position", "")
    if not position.isdigit():
        return _("La question envoyée est incomplète ; réessayez.")
    if int(position) != attempt.current_position:
        # A resent form (back button, double click): that question is already answered.
        return _already_counted(request)
    version = attempt.current_version
    try:
        raw = answer_from_form(version.format, version.definition, request.POST)
        services.record_answer(attempt, int(position), raw)
    except AnswerError as problem:
        return str(problem)
    except services.AssessmentError as problem:
        if problem.code in ("not_current_question", "attempt_finished"):
            return _already_counted(request)
        return problem.message
    return None


def result_pdf(request: HttpRequest, attempt_id: str) -> HttpResponse:
    attempt = access_attempt(request.user, attempt_id)
    if not attempt.is_finished:
        return redirect("assessments:question", attempt.pk)
    response = HttpResponse(pdf.result_pdf(attempt, request.user), content_type="application/pdf")
    stamp = attempt.finished_at.strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="palier-resultat-{stamp}.pdf"'
    return response


def result(request: HttpRequest, attempt_id: str) -> HttpResponse:
    attempt = access_attempt(request.user, attempt_id)
    if not attempt.is_finished:
        return redirect("assessments:question", attempt.pk)
    results = queries.area_results(
        attempt, summary.expected_levels(request.user, attempt.framework_id)
    )
    signals = competence_signals(attempt)
    readings = competence_readings(attempt, signals)
    return render(
        request,
        "assessments/result.html",
        {
            "attempt": attempt,
            "results": results,
            "areas": [(row, readings.get(row.area.code, [])) for row in results],
            "curriculum": summary.curriculum_of(request.user),
            "not_assessed": queries.areas_not_assessed(attempt),
            "review": queries.review_by_area(attempt),
            "strengths": [s for s in signals if s.kind == "strength"],
            "sections": result_sections(request, attempt),
            "synthetic_calibration": synthetic_calibration(attempt),
            "probability_note": probability_note(),
        },
    )


@login_not_required
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public page a result's verification code (or its QR code) leads to."""
    if not verification.lookup_allowed(client_ip(request)):
        return render(request, "assessments/verify.html", {"throttled": True}, status=429)
    found = verification.verified_result(code)
    if found is None:
        return render(request, "assessments/verify.html", {"code": code}, status=404)
    attempt = found.attempt
    return render(
        request,
        "assessments/verify.html",
        {
            "found": found,
            "code": verification.grouped(found.code),
            "name": verification.shown_name(attempt),
            "attempt": attempt,
            "results": queries.area_results(attempt),
        },
    )
