"""Provider staff: their organisation's modules, enrolment and completion counts, and the
module form (new and edited modules go to moderation)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from palier.accounts.access import access_organisation
from palier.accounts.choices import MembershipRole
from palier.training.forms import ModuleForm
from palier.training.models import Module, PlanEntry


def provider_modules(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    modules = organisation.modules.annotate(
        in_plans=Count("plan_entries"),
        completed=Count(
            "plan_entries", filter=Q(plan_entries__progress=PlanEntry.Progress.COMPLETED)
        ),
    ).order_by("title_fr")
    return render(
        request,
        "training/staff/modules.html",
        {
            "organisation": organisation,
            "modules": modules,
            "can_edit": membership.role == MembershipRole.ADMIN,
        },
    )


@require_http_methods(["GET", "POST"])
def edit_module(request: HttpRequest, slug: str, code: str | None = None) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    if membership.role != MembershipRole.ADMIN:
        raise PermissionDenied
    module = get_object_or_404(Module, code=code, provider=organisation) if code else None
    form = ModuleForm(request.POST if request.method == "POST" else None, instance=module)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.provider = organisation
        saved.status = Module.Status.SUBMITTED
        if not saved.code:
            saved.code = _new_code(organisation.slug)
        saved.save()
        form.save_m2m()
        messages.success(request, _("Module enregistré : il sera publié après modération."))
        return redirect("training:provider_modules", organisation.slug)
    return render(
        request,
        "training/staff/module_form.html",
        {
            "organisation": organisation,
            "form": form,
            "module": module,
        },
    )


def _new_code(slug: str) -> str:
    number = Module.objects.filter(code__startswith=f"{slug}-").count() + 1
    while Module.objects.filter(code=f"{slug}-{number}").exists():
        number += 1
    return f"{slug}-{number}"[:40]
