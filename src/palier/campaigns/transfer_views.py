"""Files in and out of a campaign: the expected learners' import (admins) and the
participants' export as CSV or XLSX (every staff member of the organisation)."""

from __future__ import annotations

from django.contrib import messages
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.campaigns.access import access_campaign
from palier.campaigns.exports import XLSX_CONTENT_TYPE, csv_chunks, xlsx_file
from palier.campaigns.forms import ExpectedImportForm
from palier.campaigns.imports import MAX_FILE_BYTES, MAX_ROWS, TEMPLATE_HEADER, import_expected
from palier.campaigns.services import CampaignError
from palier.core.csv import DELIMITERS, default_delimiter, write_csv
from palier.core.http import method_not_allowed
from palier.frameworks.models import Population


def expected_import(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    report, errors, error_message = None, [], ""
    form = ExpectedImportForm()
    if request.method == "POST":
        form = ExpectedImportForm(request.POST, request.FILES)
        if form.is_valid():
            dry_run = form.cleaned_data["dry_run"]
            try:
                report = import_expected(campaign, form.cleaned_data["file"], dry_run=dry_run)
            except CampaignError as error:
                error_message, errors = error.message, error.fields.get("file", [])
                form = ExpectedImportForm(initial={"dry_run": dry_run})
            else:
                if not dry_run:
                    messages.success(request, _import_summary(report.created, report.updated))
                    return redirect(
                        "organisations:expected_import", campaign.organisation.slug, campaign.pk
                    )
                # The file checked out: offer the real import (the file is chosen again).
                form = ExpectedImportForm(initial={"dry_run": False})
    return render(
        request,
        "campaigns/staff/import.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "form": form,
            "report": report,
            "errors": errors,
            "error_message": error_message,
            "expected_count": campaign.expected.count(),
            "populations": Population.objects.order_by("position", "code"),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": number_format(MAX_ROWS, force_grouping=True),
        },
    )


def _import_summary(created: int, updated: int) -> str:
    return _("Import enregistré : %(created)s, %(updated)s.") % {
        "created": ngettext("%(count)d apprenant ajouté", "%(count)d apprenants ajoutés", created)
        % {"count": created},
        "updated": ngettext(
            "%(count)d apprenant mis à jour", "%(count)d apprenants mis à jour", updated
        )
        % {"count": updated},
    }


def expected_template(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """An empty list to fill in: the French headers, `;` for French spreadsheets."""
    access_campaign(request.user, slug, campaign_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    response = HttpResponse(
        write_csv(TEMPLATE_HEADER, [], delimiter=";"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="apprenants-attendus.csv"'
    return response


def export_csv(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    delimiter = request.GET.get("sep") or default_delimiter()
    if delimiter not in DELIMITERS:
        return HttpResponseBadRequest(
            _("Séparateur inconnu : choisissez « , » ou « ; »."),
            content_type="text/plain; charset=utf-8",
        )
    response = StreamingHttpResponse(
        csv_chunks(campaign, delimiter=delimiter), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="palier-{campaign.code}.csv"'
    return response


def export_xlsx(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    return FileResponse(
        xlsx_file(campaign),
        as_attachment=True,
        filename=f"palier-{campaign.code}.xlsx",
        content_type=XLSX_CONTENT_TYPE,
    )
