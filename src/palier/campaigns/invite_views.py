"""Staff pages to bring learners in: the invitation page (code, link, QR code, join sheet,
reminders and their history), the QR code as PNG, the printable join sheet, and the
reminder's preview then send. Every view goes through campaigns.access."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from palier.campaigns import reminders
from palier.campaigns.access import access_campaign
from palier.campaigns.forms import ReminderForm
from palier.campaigns.join_sheet import join_sheet_pdf, qr_png
from palier.campaigns.models import Campaign, ReminderBatch
from palier.campaigns.services import CampaignError
from palier.core.http import method_not_allowed


def join_link(request: HttpRequest, campaign: Campaign) -> str:
    return request.build_absolute_uri(reverse("campaigns:join", args=[campaign.code]))


def _counts(campaign: Campaign) -> dict[str, int]:
    return {
        audience: reminders.reminder_recipients(campaign, audience).count
        for audience in ReminderBatch.Audience.values
    }


@require_GET
def campaign_invite(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """Everything to bring learners in, on one page; reminders for admins."""
    campaign, membership = access_campaign(request.user, slug, campaign_id)
    form = ReminderForm(counts=_counts(campaign)) if membership.is_admin else None
    return _invite_page(request, campaign, form)


def _invite_page(
    request: HttpRequest, campaign: Campaign, form: ReminderForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "campaigns/staff/invite.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "join_url": join_link(request, campaign),
            "is_admin": form is not None,
            "form": form,
            "next_reminder_at": reminders.next_reminder_at(campaign),
            "history": reminders.reminder_history(campaign),
        },
        status=status,
    )


@require_GET
def campaign_qr_png(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    response = HttpResponse(qr_png(join_link(request, campaign)), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="campagne-{campaign.code}.png"'
    return response


@require_GET
def campaign_join_sheet(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    response = HttpResponse(
        join_sheet_pdf(campaign, join_link(request, campaign)), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="inscription-{campaign.code}.pdf"'
    return response


def campaign_reminders(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """GET: the exact message and how many learners get it; POST: send it (admins)."""
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    data = request.POST if request.method == "POST" else request.GET
    form = ReminderForm(data, counts=_counts(campaign))
    invite_url = reverse("organisations:campaign_invite", args=[slug, campaign.pk])
    if not form.is_valid():
        return _invite_page(request, campaign, form, status=400)
    audience = form.cleaned_data["audience"]
    error, status = None, 200
    if request.method == "POST":
        try:
            batch = reminders.send_reminders(campaign, audience, request.user)
        except CampaignError as refused_error:
            error, status = refused_error.message, refused_error.status
        else:
            messages.success(
                request,
                ngettext(
                    "Relance envoyée à %(count)d apprenant.",
                    "Relance envoyée à %(count)d apprenants.",
                    batch.recipient_count,
                )
                % {"count": batch.recipient_count},
            )
            return redirect(invite_url)
    return render(
        request,
        "campaigns/staff/reminder_preview.html",
        {
            "campaign": campaign,
            "organisation": campaign.organisation,
            "audience": audience,
            "audience_label": ReminderBatch.Audience(audience).label,
            "recipients": reminders.reminder_recipients(campaign, audience),
            "message": reminders.reminder_message(campaign, audience),
            "next_reminder_at": reminders.next_reminder_at(campaign),
            "is_open": campaign.is_open(),
            "error": error,
            "invite_url": invite_url,
        },
        status=status,
    )
