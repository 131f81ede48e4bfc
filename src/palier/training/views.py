"""Training catalogue (public) and the learner's plan."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from palier.core.errors import ServiceError
from palier.frameworks.queries import current_framework
from palier.training import queries, services
from palier.training.access import (
    access_plan_entry,
    access_plan_item,
    access_provider,
    access_published_module,
    access_resource,
)
from palier.training.forms import CatalogueForm, ProgressForm
from palier.training.funding_guide import GUIDES
from palier.training.models import PlanEntry

PAGE_SIZE = 50


@login_not_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """The catalogue; a learner whose profile tells their curriculum, status or region sees
    it filtered to them by default, the filters still open ("?tout=1": everything)."""
    situation = CatalogueForm.situation_data(request.user)
    personalised = bool(situation) and not request.GET
    form = CatalogueForm(request.GET or situation or None)
    # A filter with a value it does not know is a bad request: the page says which one.
    invalid = form.is_bound and not form.is_valid()
    modules = queries.catalogue(form.filters())
    profile = getattr(request.user, "profile", None) if situation else None
    page = Paginator(modules, PAGE_SIZE).get_page(request.GET.get("page"))
    # Other pages keep the filters shown, the situation's ones included.
    page_query = urlencode({name: form.data.get(name) for name in form.fields if name in form.data})
    return render(
        request,
        "training/catalogue.html",
        {
            "form": form,
            "cards": queries.catalogue_cards(page.object_list, profile),
            "page": page,
            "page_query": page_query,
            "count": page.paginator.count,
            "personalised": personalised,
            "situation": situation_labels(form, situation),
            "filters_active": sum(bool(form.data.get(name)) for name in form.fields),
        },
        status=400 if invalid else 200,
    )


def situation_labels(form: CatalogueForm, situation: dict[str, str]) -> list[str]:
    """The learner's curriculum, status and region in words, as the filters name them."""
    return [
        str(dict(form.fields[name].choices).get(value, value)) for name, value in situation.items()
    ]


@login_not_required
def module_detail(request: HttpRequest, code: str) -> HttpResponse:
    module = access_published_module(code)
    in_plan = queries.in_plan(request.user, module)
    guides = [GUIDES[route] for route in module.route_codes]
    return render(
        request,
        "training/module.html",
        {"module": module, "in_plan": in_plan, "funding_guides": guides},
    )


@login_not_required
def resource_detail(request: HttpRequest, code: str) -> HttpResponse:
    resource = access_resource(code)
    return render(request, "training/resource.html", {"resource": resource})


@login_not_required
def provider_detail(request: HttpRequest, slug: str) -> HttpResponse:
    provider, modules = access_provider(slug)
    return render(request, "training/provider.html", {"provider": provider, "modules": modules})


@login_not_required
def funding(request: HttpRequest) -> HttpResponse:
    """What each funding route is, who it is for, how to ask, and its official source."""
    return render(request, "training/funding.html", {"guides": GUIDES.values()})


def plan(request: HttpRequest) -> HttpResponse:
    framework = current_framework()
    entries = list(queries.plan_entries(request.user))
    modules = [e for e in entries if e.module_id]
    profile = getattr(request.user, "profile", None)
    routes = queries.plan_routes(modules, profile)
    all_done = bool(modules) and all(e.progress == PlanEntry.Progress.COMPLETED for e in modules)
    return render(
        request,
        "training/plan.html",
        {
            "entries": entries,
            # Each entry with the funding routes that apply to the learner (modules only).
            "plan_items": [(entry, routes.get(entry.pk, [])) for entry in entries],
            "status_known": bool(profile and profile.status),
            "has_modules": bool(modules),
            "area_progress": queries.PlanProgress(queries.hours_per_area(request.user, framework))
            if framework
            else None,
            "all_done": all_done,
            "retake": queries.retake_suggestion(request.user) if all_done else None,
            "progress_choices": PlanEntry.Progress.choices,
        },
    )


@require_POST
def add(request: HttpRequest) -> HttpResponse:
    try:
        module, resource = access_plan_item(
            request.POST.get("module"), request.POST.get("resource")
        )
    except Http404:
        messages.error(request, _("Cette formation n'existe pas ou plus."))
        return redirect("training:plan")
    try:
        services.add_to_plan(request.user, module=module, resource=resource)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("training:plan")
    messages.success(request, _("Ajouté à votre plan de formation."))
    target = request.POST.get("next", "")
    return redirect(
        target if target.startswith("/") and not target.startswith("//") else "training:plan"
    )


@require_POST
def update(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = access_plan_entry(request.user, entry_id)
    if request.POST.get("remove"):
        services.remove_from_plan(entry)
        messages.success(request, _("Retiré de votre plan."))
        return redirect("training:plan")
    form = ProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("État inconnu : prévu, commencé ou terminé."))
        return redirect("training:plan")
    services.set_progress(entry, form.cleaned_data["progress"])
    messages.success(request, _("Avancement enregistré."))
    return redirect("training:plan")


@require_POST
def confirmation_request(request: HttpRequest, entry_id: int) -> HttpResponse:
    """Ask the module's provider to confirm a completed entry, or withdraw that request."""
    entry = access_plan_entry(request.user, entry_id)
    if request.POST.get("withdraw"):
        services.withdraw_confirmation_request(entry)
        messages.success(request, _("Demande retirée : l'organisme ne voit plus ce module."))
        return redirect("training:plan")
    try:
        services.request_confirmation(entry)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("training:plan")
    messages.success(
        request, _("Demande envoyée : l'organisme peut maintenant confirmer ce module.")
    )
    return redirect("training:plan")
