"""Pages of the bookmark standard-setting workspace (thin: the gates and the writes are in
`standard_setting`). Psychometricians run studies; panellists read the booklet and place
their bookmarks; everybody else gets 403."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from palier.accounts.models import User
from palier.items.rendering import learner_view
from palier.psychometrics.models import BookmarkStudy
from palier.psychometrics.standard_setting import (
    StandardSettingError,
    access_managed_study,
    access_study,
    add_panellist,
    adopt_cut_scores,
    can_run_studies,
    close_round,
    close_study,
    create_study,
    is_panellist,
    place_bookmarks,
    remove_panellist,
    studies_for,
)
from palier.psychometrics.standard_setting_forms import (
    AdoptForm,
    BookmarkForm,
    PanellistForm,
    StudyForm,
)
from palier.psychometrics.standard_setting_queries import (
    RoundResult,
    booklet,
    boundary_levels,
    current_cut_scores,
    own_bookmarks,
    round_results,
    suggested_version,
    visible_rounds,
)

# Options are shuffled with a seed, as in a test; the booklet always shows the same order.
BOOKLET_SEED = 0


def _form_error(form: forms.Form, error: StandardSettingError) -> None:
    """Show a refused operation on the form: on the fields it names, else at the top."""
    placed = False
    for field, problems in error.fields.items():
        if field in form.fields:
            for problem in problems:
                form.add_error(field, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@require_GET
def study_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "psychometrics/standard_setting/list.html",
        {
            "studies": studies_for(request.user).order_by("-created_at", "-pk"),
            "manages": can_run_studies(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def study_new(request: HttpRequest) -> HttpResponse:
    if not can_run_studies(request.user):
        raise PermissionDenied
    form = StudyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            study = create_study(
                request.user,  # type: ignore[arg-type]
                area=form.cleaned_data["area"],
                calibration=form.cleaned_data["calibration"],
                name=form.cleaned_data["name"],
                response_probability=form.cleaned_data["response_probability"],
            )
        except StandardSettingError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Séance créée : ajoutez maintenant ses panélistes."))
            return redirect("standard_setting:study", study.pk)
    return render(request, "psychometrics/standard_setting/new.html", {"form": form})


@require_GET
def study_detail(request: HttpRequest, study_id: int) -> HttpResponse:
    study, manages = access_study(request.user, study_id)
    sits = is_panellist(study, request.user)
    panel = list(study.panellists.order_by("email")) if manages else []
    placed: set[int] = set()
    if manages:
        placed = set(
            study.bookmarks.filter(round=study.current_round).values_list("panellist_id", flat=True)
        )
    return render(
        request,
        "psychometrics/standard_setting/detail.html",
        {
            "study": study,
            "manages": manages,
            "sits": sits,
            "is_open": study.status == BookmarkStudy.Status.OPEN,
            "levels": boundary_levels(study.area),
            "page_count": len(study.booklet),
            "panel": [(person, person.pk in placed) for person in panel],
            "panellist_form": PanellistForm() if manages else None,
            "mine": own_bookmarks(study, request.user, study.current_round) if sits else {},
            "adopted": sorted(
                (int(rank), cut) for rank, cut in (study.adopted_cut_scores or {}).items()
            ),
        },
    )


@require_GET
def booklet_index(request: HttpRequest, study_id: int) -> HttpResponse:
    study, manages = access_study(request.user, study_id)
    return render(
        request,
        "psychometrics/standard_setting/booklet.html",
        {
            "study": study,
            "manages": manages,
            "sits": is_panellist(study, request.user),
            "pages": booklet(study),
        },
    )


@require_GET
def booklet_page(request: HttpRequest, study_id: int, number: int) -> HttpResponse:
    study, manages = access_study(request.user, study_id)
    pages = booklet(study)
    if not 1 <= number <= len(pages):
        raise Http404
    page = pages[number - 1]
    return render(
        request,
        "psychometrics/standard_setting/page.html",
        {
            "study": study,
            "manages": manages,
            "page": page,
            "page_count": len(pages),
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if number < len(pages) else None,
            "view": learner_view(page.version, BOOKLET_SEED),
            "sits": is_panellist(study, request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def bookmarks(request: HttpRequest, study_id: int) -> HttpResponse:
    study, manages = access_study(request.user, study_id)
    if not is_panellist(study, request.user):
        raise PermissionDenied
    levels = boundary_levels(study.area)
    is_open = study.status == BookmarkStudy.Status.OPEN
    current = own_bookmarks(study, request.user, study.current_round)
    # A new round starts from the panellist's bookmarks of the previous one, to revise.
    initial = current or own_bookmarks(study, request.user, study.current_round - 1)
    form = BookmarkForm(
        request.POST if request.method == "POST" and is_open else None,
        initial={f"level_{rank}": page for rank, page in initial.items()},
        levels=levels,
        page_count=len(study.booklet),
        response_probability=study.response_probability,
    )
    if request.method == "POST" and is_open and form.is_valid():
        try:
            place_bookmarks(study, request.user, form.pages())  # type: ignore[arg-type]
        except StandardSettingError as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Vos marque-pages sont enregistrés pour ce tour."))
            return redirect("standard_setting:study", study.pk)
    return render(
        request,
        "psychometrics/standard_setting/bookmarks.html",
        {
            "study": study,
            "manages": manages,
            "form": form,
            "is_open": is_open,
            "placed": bool(current),
            "pages": booklet(study),
        },
    )


# --- results and their chart ------------------------------------------------------------------

CHART_LEFT, CHART_RIGHT, CHART_ROW, CHART_TOP = 170, 610, 44, 34
CHART_MIN_SPAN = 1.0  # logits: a chart never zooms in on less than one logit


@dataclass(frozen=True)
class ChartRow:
    label: str
    y: int
    x_min: str
    x_max: str
    x_median: str
    x_current: str | None


def _svg(value: float) -> str:
    # SVG needs a dot decimal separator whatever the page's language: format here.
    return f"{value:.1f}"


def round_chart(result: RoundResult, current: dict[int, float | None]) -> dict[str, object] | None:
    """Geometry of a round's chart: per boundary, the range of the panellists' cuts, the
    median and the current cut score, on one logit axis."""
    values = [cut for boundary in result.boundaries for cut in boundary.cuts]
    values += [cut for b in result.boundaries if (cut := current.get(b.level.rank)) is not None]
    if not result.panellists or not values:
        return None
    low, high = min(values), max(values)
    padding = max((CHART_MIN_SPAN - (high - low)) / 2, 0.0) + 0.25
    low, high = low - padding, high + padding

    def x(theta: float) -> float:
        return CHART_LEFT + (theta - low) / (high - low) * (CHART_RIGHT - CHART_LEFT)

    rows = []
    for index, boundary in enumerate(result.boundaries):
        if boundary.spread is None:
            continue
        existing = current.get(boundary.level.rank)
        rows.append(
            ChartRow(
                label=_("Niveau %(rank)s") % {"rank": boundary.level.rank},
                y=CHART_TOP + index * CHART_ROW,
                x_min=_svg(x(boundary.spread.minimum)),
                x_max=_svg(x(boundary.spread.maximum)),
                x_median=_svg(x(boundary.spread.median)),
                x_current=None if existing is None else _svg(x(existing)),
            )
        )
    ticks = [
        {"x": _svg(x(theta)), "label": str(theta)}
        for theta in range(int(low) if low >= 0 else int(low) - 1, int(high) + 2)
        if low <= theta <= high
    ]
    bottom = CHART_TOP + len(result.boundaries) * CHART_ROW
    return {
        "rows": rows,
        "ticks": ticks,
        "left": CHART_LEFT,
        "right": CHART_RIGHT,
        "axis_y": bottom - CHART_ROW // 2,
        "height": bottom + 28,
    }


@require_GET
def results(request: HttpRequest, study_id: int) -> HttpResponse:
    study, manages = access_study(request.user, study_id)
    levels = boundary_levels(study.area)
    current = current_cut_scores(study)
    rounds = []
    for result in round_results(study, visible_rounds(study, manages), levels=levels):
        chart = round_chart(result, current)
        # A panellist sees the panel's figures and, among the rows, only their own.
        rows = tuple(
            row for row in result.panellists if manages or row.panellist.pk == request.user.pk
        )
        rounds.append((result, rows, chart))
    return render(
        request,
        "psychometrics/standard_setting/results.html",
        {
            "study": study,
            "manages": manages,
            "sits": is_panellist(study, request.user),
            "levels": levels,
            "current": [current.get(level.rank) for level in levels],
            "rounds": rounds,
        },
    )


# --- psychometrician's actions ----------------------------------------------------------------


@require_POST
def panel_add(request: HttpRequest, study_id: int) -> HttpResponse:
    study = access_managed_study(request.user, study_id)
    form = PanellistForm(request.POST)
    if form.is_valid():
        try:
            person = add_panellist(study, request.user, form.cleaned_data["email"])  # type: ignore[arg-type]
        except StandardSettingError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("%(person)s fait partie du panel.") % {"person": person.email}
            )
    else:
        messages.error(request, _("Indiquez une adresse e-mail valide."))
    return redirect("standard_setting:study", study.pk)


@require_POST
def panel_remove(request: HttpRequest, study_id: int, user_id: int) -> HttpResponse:
    study = access_managed_study(request.user, study_id)
    person = get_object_or_404(study.panellists, pk=user_id)
    assert isinstance(person, User)
    try:
        remove_panellist(study, request.user, person)  # type: ignore[arg-type]
    except StandardSettingError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("%(person)s ne fait plus partie du panel.") % {"person": person.email}
        )
    return redirect("standard_setting:study", study.pk)


@require_POST
def round_close(request: HttpRequest, study_id: int) -> HttpResponse:
    study = access_managed_study(request.user, study_id)
    try:
        closed = close_round(study, request.user)  # type: ignore[arg-type]
    except StandardSettingError as error:
        messages.error(request, error.message)
        return redirect("standard_setting:study", study.pk)
    messages.success(
        request,
        _("Tour %(round)s clôturé : ses résultats sont visibles par le panel.") % {"round": closed},
    )
    return redirect("standard_setting:results", study.pk)


@require_POST
def study_close(request: HttpRequest, study_id: int) -> HttpResponse:
    study = access_managed_study(request.user, study_id)
    try:
        close_study(study, request.user)  # type: ignore[arg-type]
    except StandardSettingError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Séance close sans adoption de seuils."))
    return redirect("standard_setting:study", study.pk)


@require_http_methods(["GET", "POST"])
def adopt(request: HttpRequest, study_id: int) -> HttpResponse:
    study = access_managed_study(request.user, study_id)
    is_open = study.status == BookmarkStudy.Status.OPEN
    form = AdoptForm(
        request.POST if request.method == "POST" and is_open else None,
        initial={"version": suggested_version(study)},
    )
    if request.method == "POST" and is_open and form.is_valid():
        try:
            framework = adopt_cut_scores(
                study,
                request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
            )
        except StandardSettingError as error:
            _form_error(form, error)
        else:
            messages.success(
                request,
                _("Seuils adoptés : la version %(version)s du référentiel a été créée.")
                % {"version": framework.version},
            )
            return redirect("standard_setting:study", study.pk)
    levels = boundary_levels(study.area)
    last_closed = study.current_round - 1
    result = round_results(study, [last_closed], levels=levels)[0] if last_closed else None
    current = current_cut_scores(study)
    return render(
        request,
        "psychometrics/standard_setting/adopt.html",
        {
            "study": study,
            "manages": True,
            "sits": is_panellist(study, request.user),
            "form": form,
            "is_open": is_open,
            "result": result,
            "rows": [
                (boundary, current.get(boundary.level.rank))
                for boundary in (result.boundaries if result else ())
            ],
        },
    )
