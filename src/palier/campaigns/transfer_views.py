"""Files in and out of a campaign: the expected learners' file template (admins; the import
page is campaigns.import_views) and the participants' export as CSV or XLSX (every staff
member of the organisation)."""

from __future__ import annotations

from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _

from palier.campaigns.access import access_campaign
from palier.campaigns.exports import XLSX_CONTENT_TYPE, csv_chunks, xlsx_file
from palier.campaigns.imports import TEMPLATE_HEADER
from palier.core.csv import DELIMITERS, default_delimiter, write_csv
from palier.core.http import method_not_allowed


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
