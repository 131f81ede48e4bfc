"""Staff dashboards: the organisation's overview, a campaign's dashboard, its participants
and one participant. Members and admins read them; anyone else gets 404 (campaigns.access).
The numbers come from campaigns.queries; this module only reads query parameters and lays
out the one chart whose geometry a template cannot compute (the funnel over time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from palier.campaigns import overview_queries, participant_queries, queries
from palier.campaigns.access import access_campaign, access_shared_participation
from palier.campaigns.models import Participation
from palier.organisations.access import access_organisation

# The funnel-over-time chart (SVG user units).
CHART_WIDTH = 640
CHART_HEIGHT = 260
PLOT_LEFT = 56
PLOT_RIGHT = 470
PLOT_TOP = 16
PLOT_BOTTOM = 220
LABEL_SPACING = 16  # minimum vertical distance between two end-of-line labels

# Lines differ by dash pattern and width, and are labelled at their end: never colour alone.
LINE_STYLES = {
    "joined": ("", 2),
    "started": ("8 4", 2),
    "finished": ("2 4", 3),
    "shared": ("", 4),
}


class DashboardForm(forms.Form):
    par = forms.ChoiceField(
        label=_("Colonnes de la carte des compétences"),
        choices=[("public", _("par public")), ("annee", _("par année d'études"))],
        required=False,
    )

    def dimension(self) -> str:
        if self.is_valid() and self.cleaned_data["par"] == "annee":
            return "year"
        return "population"


class ParticipantsForm(forms.Form):
    statut = forms.ChoiceField(
        label=_("Statut"),
        choices=[("", _("Tous")), *Participation.Status.choices],
        required=False,
    )

    def status(self) -> str:
        return self.cleaned_data["statut"] if self.is_valid() else ""


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    points: str
    dash: str
    width: int
    last: int
    label_y: int  # an int: a float would be localised ("20,0") in the SVG


def timeline_chart(weeks: list[queries.Week]) -> dict[str, Any] | None:
    """Polylines of the cumulative funnel per week, with end labels that do not overlap;
    None when there are fewer than two weeks to draw."""
    if len(weeks) < 2:
        return None
    top = max(max(week.joined, week.started, week.finished, week.shared) for week in weeks) or 1
    step = (PLOT_RIGHT - PLOT_LEFT) / (len(weeks) - 1)

    def y(count: int) -> float:
        return round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * count / top, 1)

    lines = []
    for key, (dash, width) in LINE_STYLES.items():
        counts = [getattr(week, key) for week in weeks]
        points = " ".join(f"{round(PLOT_LEFT + i * step, 1)},{y(n)}" for i, n in enumerate(counts))
        lines.append([key, points, dash, width, counts[-1], y(counts[-1])])
    # Push end labels apart, top to bottom, so close totals stay readable.
    previous = None
    for line in sorted(lines, key=lambda item: item[5]):
        if previous is not None and line[5] - previous < LABEL_SPACING:
            line[5] = previous + LABEL_SPACING
        previous = line[5]
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "left": PLOT_LEFT,
        "right": PLOT_RIGHT,
        "top": PLOT_TOP,
        "bottom": PLOT_BOTTOM,
        "top_count": top,
        "first": weeks[0].start,
        "last": weeks[-1].start,
        "lines": [
            Line(key, str(queries.STAGE_LABELS[key]), points, dash, width, last, round(label_y) + 4)
            for key, points, dash, width, last, label_y in lines
        ],
    }


@require_GET
def overview(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    return render(
        request,
        "campaigns/staff/overview.html",
        {
            "organisation": organisation,
            "overview": overview_queries.organisation_overview(organisation),
            "is_admin": membership.is_admin,
            "privacy_threshold": queries.PRIVACY_THRESHOLD,
        },
    )


@require_GET
def dashboard(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, membership = access_campaign(request.user, slug, campaign_id)
    form = DashboardForm(request.GET or None)
    data = queries.campaign_dashboard(campaign, form.dimension())
    response = render(
        request,
        "campaigns/staff/dashboard.html",
        {
            "organisation": campaign.organisation,
            "campaign": campaign,
            "form": form,
            "data": data,
            "timeline": timeline_chart(data.weeks),
            "join_url": request.build_absolute_uri(reverse("campaigns:join", args=[campaign.code])),
            "is_admin": membership.is_admin,
            "privacy_threshold": queries.PRIVACY_THRESHOLD,
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@require_GET
def participants(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    form = ParticipantsForm(request.GET or None)
    data = participant_queries.participants_page(
        campaign,
        status=form.status(),
        page=request.GET.get("page", 1),
        expected_page=request.GET.get("attendus", 1),
    )
    response = render(
        request,
        "campaigns/staff/participants.html",
        {
            "organisation": campaign.organisation,
            "campaign": campaign,
            "form": form,
            "data": data,
            "status": form.status(),
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@require_GET
def participant(
    request: HttpRequest, slug: str, campaign_id: int, participation_id: int
) -> HttpResponse:
    campaign, _membership = access_campaign(request.user, slug, campaign_id)
    participation = access_shared_participation(campaign, participation_id)
    return render(
        request,
        "campaigns/staff/participant.html",
        {
            "organisation": campaign.organisation,
            "campaign": campaign,
            "detail": participant_queries.participant_detail(campaign, participation),
        },
    )
