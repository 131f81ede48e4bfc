"""Learner pages: enter a code, see who asks what, take part, share or not, stop sharing."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from palier.assessments.services import retake_allowed_from
from palier.campaigns import services
from palier.campaigns.access import access_own_participation, access_participated_organisation
from palier.campaigns.forms import CodeForm, JoinForm, ShareForm
from palier.campaigns.models import Participation, SharingStop
from palier.campaigns.queries import participations_of
from palier.core.http import client_ip, posted
from palier.frameworks.models import Area


@require_http_methods(["GET", "POST"])
def my_campaigns(request: HttpRequest) -> HttpResponse:
    form = CodeForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.find_campaign(
                request.user, form.cleaned_data["code"], client_ip(request)
            )
        except services.CampaignError as error:
            form.add_error("code", error.message)
            status = error.status
        else:
            return redirect("campaigns:join", campaign.code)
    participations = participations_of(request.user)
    stopped = set(
        SharingStop.objects.filter(user=request.user).values_list("organisation_id", flat=True)
    )
    organisations = {p.campaign.organisation for p in participations}
    return render(
        request,
        "campaigns/mine.html",
        {
            "form": form,
            "participations": participations,
            "organisations": sorted(organisations, key=lambda o: o.name),
            "stopped": stopped,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, code: str) -> HttpResponse:
    try:
        campaign = services.find_campaign(request.user, code, client_ip(request))
    except services.CampaignError as error:
        return render(request, "campaigns/join_error.html", {"error": error}, status=error.status)
    existing = Participation.objects.filter(campaign=campaign, user=request.user).first()
    if existing is not None:
        return redirect("campaigns:participation", existing.pk)
    form = JoinForm(posted(request), campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            participation = services.join_campaign(
                request.user, campaign, form.cleaned_data.get("external_id", "")
            )
        except services.CampaignError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Vous participez à la campagne."))
            return redirect("campaigns:participation", participation.pk)
    areas = Area.objects.filter(framework=campaign.framework, code__in=campaign.areas).order_by(
        "number"
    )
    return render(
        request,
        "campaigns/join.html",
        {
            "campaign": campaign,
            "form": form,
            "areas": areas,
            "stopped": services.sharing_stopped(request.user.pk, campaign.organisation_id),
        },
    )


@require_http_methods(["GET", "POST"])
def participation(request: HttpRequest, participation_id: int) -> HttpResponse:
    entry = access_own_participation(request.user, participation_id)
    share_form = ShareForm(posted(request))
    if request.method == "POST":
        try:
            response = _act(request, entry, share_form)
        except services.CampaignError as error:
            messages.error(request, error.message)
        else:
            if response is not None:
                return response
        return redirect("campaigns:participation", entry.pk)
    campaign = entry.campaign
    areas = list(
        Area.objects.filter(framework=campaign.framework, code__in=campaign.areas).order_by(
            "number"
        )
    )
    levels = (entry.snapshot or {}).get("areas", {})
    return render(
        request,
        "campaigns/participation.html",
        {
            "entry": entry,
            "campaign": campaign,
            # The areas alone for "what is shared", with the levels once shared.
            "areas": areas,
            "shared_levels": [(area, levels.get(area.code)) for area in areas],
            "eligible": services.eligible_results(entry)
            if entry.status in (Participation.Status.JOINED, Participation.Status.STARTED)
            else [],
            "retake_from": retake_allowed_from(request.user)
            if entry.status == Participation.Status.JOINED
            else None,
            "share_form": share_form,
            "stopped": services.sharing_stopped(request.user.pk, campaign.organisation_id),
        },
    )


def _act(request: HttpRequest, entry: Participation, share_form: ShareForm) -> HttpResponse | None:
    action = request.POST.get("action")
    if action == "start":
        language = (get_language() or "fr")[:2]
        attempt = services.start_campaign_test(entry, language)
        return redirect("assessments:question", attempt.pk)
    if action == "bring":
        services.bring_result(entry, request.POST.get("attempt", ""))
        messages.success(request, _("Résultat ajouté à la campagne."))
    elif action == "share" and share_form.is_valid():
        services.share(entry, plan=share_form.cleaned_data["plan"])
        messages.success(
            request,
            _("Résultat partagé avec %(name)s.") % {"name": entry.campaign.organisation.name},
        )
    elif action == "decline":
        services.decline(entry)
        messages.info(request, _("Votre résultat n'est pas partagé."))
    else:
        raise services.CampaignError(400, "invalid_action", _("Action inconnue."))
    return None


@require_POST
def sharing(request: HttpRequest, organisation_id: int) -> HttpResponse:
    """Stop or resume sharing with an organisation the learner took part with."""
    organisation = access_participated_organisation(request.user, organisation_id)
    if request.POST.get("action") == "resume":
        services.resume_sharing(request.user, organisation)
        messages.success(request, _("Partage repris avec %(name)s.") % {"name": organisation.name})
    else:
        services.stop_sharing(request.user, organisation)
        messages.success(
            request,
            _(
                "Plus rien ne sera partagé avec %(name)s. Les résultats déjà partagés restent, "
                "comme annoncé lors du partage."
            )
            % {"name": organisation.name},
        )
    return redirect("campaigns:mine")
