"""The seed of the national call: real awardees with their public figures only, demo
awardees only with --demo (24 awards in all), the demo institute's award with its
campaigns, idempotent."""

from __future__ import annotations

import pytest

from palier.campaigns.models import Campaign
from palier.organisations.demo import DEMO_ORGANISATION_SLUG, load_demo_organisation
from palier.organisations.models import Organisation
from palier.steering.award_seed import (
    CALL_AWARDS,
    CALL_CODE,
    REAL_AWARDS,
    load_award_seed,
    remove_demo_awards,
)
from palier.steering.models import Award, AwardCampaign, FundingCall, PlannedLearners
from tests.steering.support import make_campaign

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return [
        *Award.objects.order_by("code").values_list(
            "code", "organisation__slug", "amount_euros", "starts_on", "is_demo"
        ),
        *PlannedLearners.objects.order_by("pk").values_list("award__code", "learners"),
        *AwardCampaign.objects.order_by("pk").values_list("award__code", "campaign_id"),
    ]


def test_without_demo_only_the_call_and_the_real_awardees_are_loaded(framework):
    report = load_award_seed()
    call = FundingCall.objects.get(code=CALL_CODE)
    assert call.budget_euros == 122_000_000 and "à vérifier" in call.source
    awards = Award.objects.all()
    assert report.real == awards.count() == len(REAL_AWARDS) and report.demo == 0
    assert not awards.filter(is_demo=True).exists()
    assert set(awards.values_list("amount_euros", flat=True)) == {0}  # not public
    assert not PlannedLearners.objects.exists()  # no public split per population and year
    sorbonne = awards.get(code="sante-numerique-sorbonne")
    assert "35 000" in sorbonne.objectives_fr and "17" in sorbonne.partners


def test_with_demo_the_call_has_24_awards_and_the_demo_institute_its_campaigns(
    framework, org_admin
):
    institute = load_demo_organisation()
    campaign = make_campaign(institute, org_admin, name="Campagne de démonstration")
    load_award_seed(demo=True)
    assert Award.objects.filter(call__code=CALL_CODE).count() == CALL_AWARDS
    demo = Award.objects.filter(is_demo=True)
    assert all("démonstration" in award.organisation.name for award in demo)
    assert all(award.organisation.is_demo for award in demo)
    own = Award.objects.get(organisation__slug=DEMO_ORGANISATION_SLUG)
    assert AwardCampaign.objects.get(award=own).campaign == campaign
    assert Campaign.objects.filter(award_link__isnull=True).count() == 0


def test_the_seed_is_idempotent_and_keeps_corrections(framework):
    load_award_seed(demo=True)
    first = snapshot()
    load_award_seed(demo=True)
    assert snapshot() == first
    Award.objects.filter(code="sante-numerique-limoges").update(amount_euros=3_000_000)
    load_award_seed(demo=True)
    assert Award.objects.get(code="sante-numerique-limoges").amount_euros == 3_000_000


def test_removing_the_demo_awards_keeps_the_real_ones(framework):
    load_award_seed(demo=True)
    assert remove_demo_awards() == CALL_AWARDS - len(REAL_AWARDS) - 1  # no demo institute
    assert Award.objects.count() == len(REAL_AWARDS)
    assert not Organisation.objects.filter(is_demo=True).exists()
    assert remove_demo_awards() == 0
