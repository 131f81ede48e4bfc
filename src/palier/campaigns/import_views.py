"""The expected learners' import page (organisation admins): send a file, read the dry
run's result, then confirm it without choosing the file again (campaigns.imports keeps the
checked file as a PendingImport, found by the token the confirmation form carries)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.campaigns.access import access_campaign
from palier.campaigns.forms import ExpectedImportForm
from palier.campaigns.imports import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    PENDING_IMPORT_MINUTES,
    confirm_pending_import,
    import_expected,
    keep_pending_import,
)
from palier.campaigns.models import Campaign
from palier.campaigns.services import CampaignError
from palier.core.http import method_not_allowed
from palier.frameworks.models import Population


class ConfirmImportForm(forms.Form):
    token = forms.CharField(max_length=64, widget=forms.HiddenInput)


def _page(request: HttpRequest, campaign: Campaign, status: int = 200, **context: Any):
    context.setdefault("form", ExpectedImportForm())
    return render(
        request,
        "campaigns/staff/import.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "expected_count": campaign.expected.count(),
            "populations": Population.objects.order_by("position", "code"),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": number_format(MAX_ROWS, force_grouping=True),
            "pending_minutes": PENDING_IMPORT_MINUTES,
            **context,
        },
        status=status,
    )


def _done(request: HttpRequest, campaign: Campaign, created: int, updated: int) -> HttpResponse:
    messages.success(request, _import_summary(created, updated))
    return redirect("organisations:expected_import", campaign.organisation.slug, campaign.pk)


def expected_import(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    if request.method != "POST":
        return _page(request, campaign)
    form = ExpectedImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, campaign, form=form)
    dry_run = form.cleaned_data["dry_run"]
    try:
        if not dry_run:
            report = import_expected(campaign, form.cleaned_data["file"], dry_run=False)
            return _done(request, campaign, report.created, report.updated)
        report, token = keep_pending_import(campaign, request.user, form.cleaned_data["file"])
    except CampaignError as error:
        # The page answers 200, as every form page does with its errors.
        return _page(
            request,
            campaign,
            form=ExpectedImportForm(initial={"dry_run": dry_run}),
            error_message=error.message,
            errors=error.fields.get("file", []),
        )
    return _page(
        request,
        campaign,
        report=report,
        confirm_form=ConfirmImportForm(initial={"token": token}),
        form=ExpectedImportForm(),
    )


def expected_import_confirm(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """Import the file checked by the admin's last dry run on this campaign."""
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = ConfirmImportForm(request.POST)
    try:
        if not form.is_valid():
            raise CampaignError(400, "invalid_token", _("Simulation introuvable."))
        report = confirm_pending_import(campaign, request.user, form.cleaned_data["token"])
    except CampaignError as error:
        return _page(
            request,
            campaign,
            error.status,
            error_message=error.message,
            errors=error.fields.get("file", []),
        )
    return _done(request, campaign, report.created, report.updated)


def _import_summary(created: int, updated: int) -> str:
    return _("Import enregistré : %(created)s, %(updated)s.") % {
        "created": ngettext("%(count)d apprenant ajouté", "%(count)d apprenants ajoutés", created)
        % {"count": created},
        "updated": ngettext(
            "%(count)d apprenant mis à jour", "%(count)d apprenants mis à jour", updated
        )
        % {"count": updated},
    }
