"""Target pages (steering and administrators): the targets in force and retired, a
target's versions with the form that adds one, and a new target. Editing never changes a
stored version (steering.target_services)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from palier.accounts.roles import Role, role_required
from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed, posted
from palier.frameworks.models import Population
from palier.steering import target_services as services
from palier.steering.forms_denominators import NewTargetForm, TargetVersionForm
from palier.steering.models import Target
from palier.steering.years import year_label


def kinds_label(target: Target) -> str:
    """The target's population kinds in words, in the reader's language."""
    labels = dict(Population.Kind.choices)
    return ", ".join(str(labels.get(kind, kind)) for kind in target.population_kinds)


def _rows(lines: list[services.TargetLine]) -> list[dict]:
    return [
        {
            "target": line.target,
            "versions": line.versions,
            "kinds": kinds_label(line.target),
            "year": year_label(line.target.year),
        }
        for line in lines
    ]


def _add_errors(form, error: ServiceError) -> None:
    """A service's refusal on the form: by field where it names one, above it otherwise."""
    placed = False
    for name, problems in error.fields.items():
        if name in form.fields:
            for problem in problems:
                form.add_error(name, problem)
            placed = True
    if not placed:
        form.add_error(None, error.message)


@role_required(Role.STEERING, Role.ADMINISTRATOR)
def target_list(request: HttpRequest) -> HttpResponse:
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    lines = services.latest_targets()
    return render(
        request,
        "steering/targets/list.html",
        {
            "in_force": _rows([line for line in lines if line.target.is_active]),
            "retired": _rows([line for line in lines if not line.target.is_active]),
        },
    )


@role_required(Role.STEERING, Role.ADMINISTRATOR)
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    """A target's versions, newest first, and the form that adds a version."""
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    versions = services.target_versions(code)
    if not versions:
        raise Http404
    current = versions[0]
    form = TargetVersionForm(posted(request)) if request.method == "POST" else None
    if form is not None and form.is_valid():
        try:
            target = services.add_target_version(code, request.user, form.cleaned_data)
        except ServiceError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(version)d enregistrée ; elle est désormais en vigueur.")
                % {"version": target.version},
            )
            return redirect("steering_denominators:target", code)
    return render(
        request,
        "steering/targets/detail.html",
        {
            "target": current,
            "target_year": year_label(current.year),
            "kinds": kinds_label(current),
            "versions": versions,
            "form": form or TargetVersionForm.from_target(current),
        },
    )


@role_required(Role.STEERING, Role.ADMINISTRATOR)
def target_new(request: HttpRequest) -> HttpResponse:
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    form = NewTargetForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            target = services.create_target(request.user, form.cleaned_data)
        except ServiceError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Cible créée."))
            return redirect("steering_denominators:target", target.code)
    return render(request, "steering/targets/new.html", {"form": form})
