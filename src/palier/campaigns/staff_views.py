"""Staff pages: the campaign form and the campaign's QR code.

Dashboards are in dashboard_views, imports and exports in transfer_views; the team and API
tokens are the organisations app's. Every view goes through campaigns.access or the
organisation gate.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from palier.campaigns import services
from palier.campaigns.access import access_campaign
from palier.campaigns.forms import CampaignForm
from palier.campaigns.join_sheet import qr_svg
from palier.core.http import posted
from palier.frameworks.queries import current_framework
from palier.organisations.access import access_organisation


@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    framework = current_framework()
    if framework is None:
        raise Http404
    form = CampaignForm(posted(request), framework=framework)
    if request.method == "POST" and form.is_valid():
        campaign = services.create_campaign(
            organisation,
            request.user,
            form.campaign_fields(),
            form.cleaned_data["populations"],
        )
        messages.success(
            request,
            _("Campagne créée. Son code : %(code)s.") % {"code": campaign.display_code},
        )
        return redirect("organisations:dashboard", organisation.slug, campaign.pk)
    return render(
        request,
        "campaigns/staff/campaign_form.html",
        {"organisation": organisation, "form": form, "campaign": None},
    )


@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    form = CampaignForm(posted(request), instance=campaign, framework=campaign.framework)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_campaign(
                campaign, form.campaign_fields(), form.cleaned_data["populations"]
            )
        except services.CampaignError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Campagne enregistrée."))
            return redirect("organisations:dashboard", slug, campaign.pk)
    return render(
        request,
        "campaigns/staff/campaign_form.html",
        {"organisation": campaign.organisation, "form": form, "campaign": campaign},
    )


@require_GET
def campaign_qr(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """The join link as a QR code (SVG), for posters and slides."""
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    link = request.build_absolute_uri(reverse("campaigns:join", args=[campaign.code]))
    response = HttpResponse(qr_svg(campaign, link), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="campagne-{campaign.code}.svg"'
    return response
