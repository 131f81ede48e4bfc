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

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.campaigns import overview_queries, participant_queries, queries
from palier.campaigns.access import access_campaign, access_shared_participation
from palier.campaigns.group_views import LearnerGroupsForm
from palier.campaigns.groups import group_choices, learner_groups
from palier.campaigns.models import Campaign, LearnerGroup, Participation
from palier.campaigns.participant_queries import EXPECTED, ParticipantFilters
from palier.frameworks.models import Population
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


class GroupFilterForm(forms.Form):
    """A form with the `groupe` filter: the campaign organisation's groups."""

    groupe = forms.ChoiceField(label=_("Groupe"), required=False)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groupe"].choices = [
            ("", _("Tous les apprenants")),
            *group_choices(campaign.organisation),
        ]
        self.campaign = campaign

    def group(self) -> LearnerGroup | None:
        if not self.is_valid() or not self.cleaned_data["groupe"]:
            return None
        return LearnerGroup.objects.filter(
            pk=int(self.cleaned_data["groupe"]), organisation=self.campaign.organisation_id
        ).first()


class DashboardForm(GroupFilterForm):
    par = forms.ChoiceField(
        label=_("Colonnes de la carte des compétences"),
        choices=[("public", _("par public")), ("annee", _("par année d'études"))],
        required=False,
    )

    def dimension(self) -> str:
        if self.is_valid() and self.cleaned_data["par"] == "annee":
            return "year"
        return "population"


class ParticipantsForm(GroupFilterForm):
    q = forms.CharField(
        label=_("Rechercher"),
        help_text=_("Nom, adresse e-mail ou identifiant"),
        max_length=100,
        required=False,
    )
    statut = forms.ChoiceField(
        label=_("Statut"),
        choices=[
            ("", _("Tous")),
            (EXPECTED, _("Attendu, pas encore inscrit")),
            *Participation.Status.choices,
        ],
        required=False,
    )
    public = forms.ChoiceField(label=_("Public"), required=False)
    annee = forms.TypedChoiceField(
        label=_("Année d'études"),
        choices=[
            ("", _("Toutes")),
            *((str(year), queries.year_label(year)) for year in range(1, MAX_YEAR_OF_STUDY + 1)),
        ],
        coerce=int,
        empty_value=None,
        required=False,
    )
    field_order = ["q", "statut", "public", "annee", "groupe"]

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, campaign=campaign, **kwargs)
        self.fields["public"].choices = [
            ("", _("Tous")),
            *((p.code, p.title) for p in Population.objects.order_by("position", "code")),
        ]

    def filters(self) -> ParticipantFilters:
        if not self.is_valid():
            return ParticipantFilters()
        data = self.cleaned_data
        return ParticipantFilters(
            search=data["q"],
            status=data["statut"],
            population=data["public"],
            year=data["annee"],
            group=self.group(),
        )


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
    form = DashboardForm(request.GET or None, campaign=campaign)
    data = queries.campaign_dashboard(campaign, form.dimension(), form.group())
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
    form = ParticipantsForm(request.GET or None, campaign=campaign)
    filters = form.filters()
    data = participant_queries.participants_page(
        campaign,
        filters,
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
            "filters": filters,
        },
    )
    if form.errors:
        response.status_code = 400
    return response


@require_GET
def participant(
    request: HttpRequest, slug: str, campaign_id: int, participation_id: int
) -> HttpResponse:
    campaign, membership = access_campaign(request.user, slug, campaign_id)
    participation = access_shared_participation(campaign, participation_id)
    groups = learner_groups(campaign.organisation, participation.user.email)
    return render(
        request,
        "campaigns/staff/participant.html",
        {
            "organisation": campaign.organisation,
            "campaign": campaign,
            "detail": participant_queries.participant_detail(campaign, participation),
            "plan": participant_queries.participant_plan(campaign, participation),
            "history": participant_queries.participant_history(campaign, participation),
            "groups": groups,
            "groups_form": LearnerGroupsForm(
                initial={"groups": groups}, organisation=campaign.organisation
            )
            if membership.is_admin
            else None,
            "is_admin": membership.is_admin,
        },
    )
