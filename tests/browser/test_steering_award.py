"""An award's page in a real browser, as the awardee's admin sees it: 0 axe violations at
1280 and 390 px in both themes, no sideways scrolling on a phone."""

import os

import pytest
from django.urls import reverse

from palier.campaigns.generate import generate_participants
from palier.organisations.choices import MembershipRole
from palier.steering.award_queries import chosen_year
from palier.steering.award_services import attach_campaign
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_member, make_organisation
from tests.steering.support import make_award, make_campaign, plan

pytestmark = [pytest.mark.django_db(transaction=True)]
PHONE_WIDTH = 390


def test_an_award_page_is_accessible_on_a_desktop_and_a_phone(page, live_server, theme, framework):
    organisation = make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")
    admin = make_member(organisation, MembershipRole.ADMIN, email="admin@tilleuls.example")
    award = make_award(organisation, "projet-tilleuls", title_fr="Parcours numérique des Tilleuls")
    campaign = make_campaign(organisation, admin)
    attach_campaign(award, campaign.pk)
    generate_participants(campaign, 40, seed=3)
    make_campaign(organisation, admin, name="Campagne à rattacher")  # the attach form shows
    plan(award, "soins-infirmiers", chosen_year(award, None), 120)
    sign_in(page, live_server, "admin@tilleuls.example")
    for url in (
        reverse("awards:detail", args=[award.code]),
        reverse("awards:links", args=[award.code]),
    ):
        for width in (1280, PHONE_WIDTH):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + url)
            assert page.locator("h1").is_visible()
            if os.environ.get("SHOTS"):
                name = url.strip("/").replace("/", "-")
                page.screenshot(
                    path=f"{os.environ['SHOTS']}/{theme}-{name}-{width}.png", full_page=True
                )
            assert_accessible(page)
            if width == PHONE_WIDTH:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH
