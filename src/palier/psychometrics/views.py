"""The psychometrician's calibration pages: calibrations per framework version, starting a
calibration run, its progress and the review of its draft, activation and roll-back.

Views are thin: gates in psychometrics.access, reads in psychometrics.queries, writes through
the services (`start_calibration_run`, `activate_draft`, `roll_back_calibration`), whose
refusals show as form errors.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from palier.core.errors import ServiceError
from palier.core.http import posted
from palier.items.calibrations import roll_back_calibration
from palier.psychometrics import charts, queries
from palier.psychometrics import review_summary as summaries
from palier.psychometrics.access import access_framework, access_run, require_psychometrician
from palier.psychometrics.forms import ActivateForm, ReasonForm, ReviewFilterForm, StartRunForm
from palier.psychometrics.models import CalibrationRun
from palier.psychometrics.services import (
    activate_draft,
    activation_blockers,
    start_calibration_run,
)

#: The progress page reloads itself this often (seconds) while the run is not finished.
PROGRESS_REFRESH_SECONDS = 2
#: Query parameter that offers synthetic responses outside development.
SYNTHETIC_PARAMETER = ("donnees", "simulees")


def roll_back_prefix(framework_id: int) -> str:
    return f"retour-{framework_id}"


@require_GET
def calibrations(request: HttpRequest) -> HttpResponse:
    require_psychometrician(request.user)
    return _calibrations_page(request, {})


def _calibrations_page(request: HttpRequest, bound: dict[int, ReasonForm]) -> HttpResponse:
    overview = queries.calibrations_overview()
    rows = [
        (
            entry,
            bound.get(entry.framework.pk)
            or ReasonForm(prefix=roll_back_prefix(entry.framework.pk)),
        )
        for entry in overview
    ]
    return render(
        request,
        "psychometrics/calibrations.html",
        {"rows": rows, "show_synthetic_link": not settings.DEBUG},
    )


@require_POST
def roll_back(request: HttpRequest, framework_id: int) -> HttpResponse:
    framework = access_framework(request.user, framework_id)
    form = ReasonForm(request.POST, prefix=roll_back_prefix(framework.pk))
    if form.is_valid():
        try:
            event = roll_back_calibration(framework, request.user, form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Retour effectué : « %(name)s » est de nouveau la calibration active.")
                % {"name": event.calibration.name},
            )
            return redirect("psychometrics:calibrations")
    return _calibrations_page(request, {framework.pk: form})


def _synthetic_allowed(request: HttpRequest) -> bool:
    key, value = SYNTHETIC_PARAMETER
    return bool(settings.DEBUG) or request.GET.get(key) == value


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    require_psychometrician(request.user)
    form = StartRunForm(posted(request), allow_synthetic=_synthetic_allowed(request))
    if request.method == "POST" and form.is_valid():
        try:
            run = start_calibration_run(
                request.user, form.cleaned_data["framework"], **form.run_options()
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Calibration lancée."))
            return redirect("psychometrics:run", run.pk)
    return render(request, "psychometrics/start.html", {"form": form})


@require_GET
def run(request: HttpRequest, run_id: int) -> HttpResponse:
    calibration_run = access_run(request.user, run_id)
    if calibration_run.status != CalibrationRun.Status.READY or calibration_run.draft is None:
        return _progress_page(request, calibration_run)
    return _review_page(request, calibration_run, None)


@require_GET
def run_status(request: HttpRequest, run_id: int) -> JsonResponse:
    """The run's progress, polled by the progress page's script."""
    calibration_run = access_run(request.user, run_id)
    return JsonResponse(
        {
            "status": calibration_run.status,
            "status_label": calibration_run.get_status_display(),
            "progress": calibration_run.progress,
            "message": calibration_run.progress_message,
            "text": progress_text(calibration_run),
            "finished": calibration_run.status
            in (CalibrationRun.Status.READY, CalibrationRun.Status.FAILED),
        }
    )


def progress_text(calibration_run: CalibrationRun) -> str:
    """The state of a run in one sentence, the same in the page and in its updates."""
    text = _("%(status)s : %(progress)s %% effectués") % {
        "status": calibration_run.get_status_display(),
        "progress": calibration_run.progress,
    }
    if calibration_run.progress_message:
        text = f"{text} — {calibration_run.progress_message}"
    return text


def _progress_page(request: HttpRequest, calibration_run: CalibrationRun) -> HttpResponse:
    running = calibration_run.status in (
        CalibrationRun.Status.QUEUED,
        CalibrationRun.Status.RUNNING,
    )
    return render(
        request,
        "psychometrics/progress.html",
        {
            "run": calibration_run,
            "running": running,
            "progress_text": progress_text(calibration_run),
            "refresh_seconds": PROGRESS_REFRESH_SECONDS,
        },
    )


@require_POST
def activate(request: HttpRequest, run_id: int) -> HttpResponse:
    calibration_run = access_run(request.user, run_id)
    # Read again at the time of the write: what the pipeline says blocks this draft.
    blocking = (
        summaries.blocking_messages(activation_blockers(calibration_run.draft))
        if calibration_run.draft is not None
        else []
    )
    form = ActivateForm(request.POST, run=calibration_run, blocking=blocking)
    if form.is_valid():
        try:
            activate_draft(calibration_run, by=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Calibration « %(name)s » activée.") % {"name": calibration_run.draft.name},
            )
            return redirect("psychometrics:calibrations")
    if calibration_run.status != CalibrationRun.Status.READY or calibration_run.draft is None:
        return _progress_page(request, calibration_run)
    return _review_page(request, calibration_run, form)


def _review_page(
    request: HttpRequest, calibration_run: CalibrationRun, form: ActivateForm | None
) -> HttpResponse:
    filters = ReviewFilterForm(request.GET)
    area = filters.value("domaine") or ""
    data = queries.review(calibration_run, dif_all=filters.value("dif") == "tous", area=area)
    if form is None:
        form = ActivateForm(run=calibration_run, blocking=data.blocking)
    paginator = Paginator(data.parameters, queries.PARAMETERS_PER_PAGE)
    page = paginator.get_page(filters.value("page"))
    draft_label, active_label = _("brouillon"), _("calibration active")
    return render(
        request,
        "psychometrics/review.html",
        {
            "run": calibration_run,
            "data": data,
            "page": page,
            "area": area,
            "areas": [change.area_code for change in data.area_changes],
            "dif_all": filters.value("dif") == "tous",
            "scatter": charts.difficulty_scatter(data.parameters),
            "impact_charts": (
                charts.impact_charts(data.impact, active_label, draft_label)
                if data.impact
                else None
            ),
            "form": form,
            "is_active": calibration_run.draft is not None and calibration_run.draft.is_active,
        },
    )
