"""The staff dashboards in a real browser, on generated participants: 0 axe violations on
each page, in both themes."""

import os

import pytest
from django.urls import reverse

from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Participation
from palier.organisations.choices import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.campaigns.conftest import campaign_fields
from tests.factories import make_member, make_organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_pages_are_accessible(page, live_server, theme, framework):
    from palier.campaigns.services import create_campaign

    organisation = make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")
    member = make_member(organisation, MembershipRole.MEMBER, email="member@tilleuls.example")
    campaign = create_campaign(organisation, member, campaign_fields())
    generate_participants(campaign, 60, seed=4)
    shared = Participation.objects.filter(campaign=campaign, status="shared").first()
    joined = Participation.objects.filter(campaign=campaign, status="joined").first()
    sign_in(page, live_server, "member@tilleuls.example")
    slug = organisation.slug
    for name, args in [
        ("organisations:overview", [slug]),
        ("organisations:dashboard", [slug, campaign.pk]),
        ("organisations:participants", [slug, campaign.pk]),
        ("organisations:participant", [slug, campaign.pk, shared.pk]),
        ("organisations:participant", [slug, campaign.pk, joined.pk]),
    ]:
        page.goto(live_server.url + reverse(name, args=args))
        assert page.locator("h1").is_visible()
        if os.environ.get("SHOTS"):
            page.screenshot(
                path=f"{os.environ['SHOTS']}/{theme}-{name.split(':')[1]}-{len(args)}-{args[-1]}.png",
                full_page=True,
            )
        assert_accessible(page)
