"""Demo campaigns for `palier seed --demo`: the demo institute runs two campaigns with
generated participants, so a new user sees a living dashboard (demo data only)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Campaign
from palier.campaigns.services import create_campaign
from palier.frameworks.models import Population
from palier.frameworks.queries import current_framework
from palier.organisations.choices import MembershipRole
from palier.organisations.demo import DEMO_ORGANISATION_SLUG
from palier.organisations.models import Organisation


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    code: str
    participants: int
    created: bool


def _academic_year_start(today: date) -> date:
    year = today.year if today.month >= 9 else today.year - 1
    return date(year, 9, 1)


@transaction.atomic
def load_demo_campaigns() -> list[DemoCampaign]:
    """Two campaigns of the demo institute, created once (later runs reuse them)."""
    organisation = Organisation.objects.get(slug=DEMO_ORGANISATION_SLUG)
    framework = current_framework()
    admin = organisation.memberships.filter(role=MembershipRole.ADMIN).first()
    nursing = Population.objects.get(code="soins-infirmiers")
    today = timezone.localdate()
    start = _academic_year_start(today)
    plans = [
        (
            {
                "name": f"Rentrée {start.year} — positionnement des 2e année",
                "purpose": (
                    "Situer chaque étudiant de deuxième année dans les cinq domaines du "
                    "référentiel avant les enseignements de santé numérique du semestre, "
                    "et adapter les travaux dirigés aux besoins de la promotion."
                ),
                "kind": Campaign.Kind.ASSESSMENT,
                "areas": [area.code for area in framework.areas.order_by("number")],
                "opens_on": max(start, today - timedelta(days=60)),
                "closes_on": today + timedelta(days=45),
                "external_id_label": "Numéro étudiant",
                "sharing": Campaign.Sharing.CONSENT,
            },
            320,
        ),
        (
            {
                "name": f"Bilan {start.year - 1}-{start.year} — 3e année",
                "purpose": (
                    "Recueillir les résultats de positionnement de la promotion sortante pour "
                    "le bilan annuel de la formation au numérique en santé."
                ),
                "kind": Campaign.Kind.COLLECTION,
                "areas": ["D1", "D2", "D5"],
                "opens_on": date(start.year - 1, 11, 3),
                "closes_on": date(start.year, 6, 30),
                "external_id_label": "",
                "sharing": Campaign.Sharing.CONSENT,
            },
            180,
        ),
    ]
    results = []
    for number, (fields, count) in enumerate(plans):
        campaign = Campaign.objects.filter(organisation=organisation, name=fields["name"]).first()
        created = campaign is None
        if campaign is None:
            campaign = create_campaign(
                organisation,
                admin.user if admin else None,  # type: ignore[arg-type]
                {**fields, "framework": framework, "target_population": nursing},
                [nursing],
            )
            generate_participants(campaign, count, seed=number + 1)
        results.append(
            DemoCampaign(
                campaign.name,
                campaign.display_code,
                campaign.participations.count(),
                created,
            )
        )
    return results
