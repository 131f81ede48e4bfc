"""Provider staff: their organisation's modules, enrolment and completion counts, the module
form with its sessions (new and edited modules go to moderation), and the confirmation of
the completions that learners asked them to confirm."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from palier.core.errors import ServiceError
from palier.organisations.access import access_organisation
from palier.training import queries, services
from palier.training.access import (
    access_confirmation_request,
    access_provider_admin,
    access_provider_module,
)
from palier.training.forms import error_summary, module_forms
from palier.training.models import PlanEntry


def provider_modules(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    modules = organisation.modules.annotate(
        in_plans=Count("plan_entries"),
        completed=Count(
            "plan_entries", filter=Q(plan_entries__progress=PlanEntry.Progress.COMPLETED)
        ),
    ).order_by("title_fr")
    can_edit = membership.is_admin
    return render(
        request,
        "training/staff/modules.html",
        {
            "organisation": organisation,
            "modules": modules,
            "can_edit": can_edit,
            "awaiting": (
                queries.confirmation_requests(organisation)
                .filter(confirmed_by_provider=False)
                .count()
                if can_edit
                else 0
            ),
        },
    )


@require_http_methods(["GET", "POST"])
def edit_module(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    if code:
        organisation, module = access_provider_module(request.user, slug, code)
    else:
        organisation, module = access_provider_admin(request.user, slug), None
    form, sessions = module_forms(request.POST if request.method == "POST" else None, module)
    if request.method == "POST" and form.is_valid() and sessions.is_valid():
        services.save_module(organisation, form, sessions)
        messages.success(request, _("Module enregistré : il sera publié après modération."))
        return redirect("training:provider_modules", organisation.slug)
    return render(
        request,
        "training/staff/module_form.html",
        {
            "organisation": organisation,
            "form": form,
            "sessions": sessions,
            "errors": error_summary(form, sessions) if form.is_bound else [],
            "module": module,
        },
    )


@require_GET
def completions(request: HttpRequest, slug: str) -> HttpResponse:
    organisation = access_provider_admin(request.user, slug)
    return render(
        request,
        "training/staff/completions.html",
        {
            "organisation": organisation,
            "entries": queries.confirmation_requests(organisation),
        },
    )


@require_POST
def confirm(request: HttpRequest, slug: str, entry_id: int) -> HttpResponse:
    organisation, entry = access_confirmation_request(request.user, slug, entry_id)
    confirmed = request.POST.get("confirmed") == "1"
    try:
        services.confirm_completion(entry, organisation, confirmed=confirmed)
    except ServiceError as error:  # un-completed or withdrawn in the meantime
        raise Http404 from error
    if confirmed:
        messages.success(request, _("Achèvement confirmé."))
    else:
        messages.success(request, _("Confirmation retirée."))
    url = reverse("training:completions", args=[organisation.slug])
    return redirect(f"{url}#module-{entry.module.code}")
