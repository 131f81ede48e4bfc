"""The organisation's overview: every campaign with its participation and mean level per
area, grouped by year of opening, with each year's totals (five queries whatever the number
of campaigns and participants)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Q, Sum

from palier.campaigns.models import Campaign, ExpectedLearner, Participation, SharedLevel
from palier.campaigns.queries import REACHED, Mean, Status
from palier.frameworks.models import Area
from palier.organisations.models import Organisation


@dataclass(frozen=True)
class Summary:
    """Participation and mean level per area, of one campaign or of a year's campaigns."""

    expected: int
    joined: int
    finished: int
    shared: int
    means: list[Mean]


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    summary: Summary


@dataclass(frozen=True)
class YearSummary:
    year: int
    campaigns: list[CampaignRow]
    summary: Summary


@dataclass(frozen=True)
class AreaHeading:
    code: str
    number: int | None
    title: str


@dataclass(frozen=True)
class Overview:
    organisation: Organisation
    areas: list[AreaHeading]
    years: list[YearSummary]


def organisation_overview(organisation: Organisation) -> Overview:
    """Every campaign of the organisation with its counts and mean level per area, grouped by
    year of opening, with each year's totals. Five queries whatever the number of campaigns
    and participants."""
    campaigns = list(
        Campaign.objects.filter(organisation=organisation).order_by("-opens_on", "name")
    )
    participations = {
        row["campaign_id"]: row
        for row in Participation.objects.filter(campaign__organisation=organisation)
        .values("campaign_id")
        .annotate(
            joined=Count("id"),
            finished=Count("id", filter=Q(status__in=REACHED["finished"])),
            shared=Count("id", filter=Q(status=Status.SHARED)),
        )
        .order_by()
    }
    expected = dict(
        ExpectedLearner.objects.filter(campaign__organisation=organisation)
        .values("campaign_id")
        .annotate(count=Count("id"))
        .values_list("campaign_id", "count")
        .order_by()
    )
    level_sums: dict[tuple[int, str], tuple[int, int]] = {
        (row["participation__campaign_id"], row["area"]): (row["total"], row["count"])
        for row in SharedLevel.objects.filter(participation__campaign__organisation=organisation)
        .values("participation__campaign_id", "area")
        .annotate(total=Sum("level"), count=Count("id"))
        .order_by()
    }
    area_titles: dict[str, str] = {}
    numbers: dict[str, int] = {}
    # Campaigns may use different framework versions: the newest version names each code.
    for area in (
        Area.objects.filter(
            framework__in=Campaign.objects.filter(organisation=organisation).values("framework_id")
        )
        .only("code", "number", "title_fr", "title_en")
        .order_by("-framework_id", "number")
    ):
        area_titles.setdefault(area.code, area.title)
        numbers.setdefault(area.code, area.number)
    used = {code for campaign in campaigns for code in campaign.areas}
    area_codes = sorted(used, key=lambda code: (numbers.get(code, 99), code))

    def summarise(campaign_ids: list[int]) -> Summary:
        def total(name: str) -> int:
            return sum(participations.get(pk, {}).get(name, 0) for pk in campaign_ids)

        means = []
        for code in area_codes:
            sums = [level_sums.get((pk, code), (0, 0)) for pk in campaign_ids]
            means.append(Mean.of(sum(s[0] for s in sums), sum(s[1] for s in sums)))
        return Summary(
            expected=sum(expected.get(pk, 0) for pk in campaign_ids),
            joined=total("joined"),
            finished=total("finished"),
            shared=total("shared"),
            means=means,
        )

    by_year: dict[int, list[CampaignRow]] = defaultdict(list)
    for campaign in campaigns:
        by_year[campaign.opens_on.year].append(CampaignRow(campaign, summarise([campaign.pk])))
    years = [
        YearSummary(year, rows, summarise([row.campaign.pk for row in rows]))
        for year, rows in sorted(by_year.items(), reverse=True)
    ]
    headings = [
        AreaHeading(code, numbers.get(code), area_titles.get(code, "")) for code in area_codes
    ]
    return Overview(organisation, headings, years)
