"""Issue 16's LTI journeys in a real browser, both themes, axe at 1280 and 390 px: a learner
clicks the activity in the course of a real LTI 1.3 platform and lands, signed in, on the
first question of the campaign's test; a teacher adds a campaign to the course by deep
linking."""

from __future__ import annotations

import pytest

from palier.campaigns.services import create_campaign
from palier.frameworks.queries import current_framework
from palier.integrations.lti.models import PlatformAccount
from tests.assessments.conftest import seed_bank
from tests.browser.test_campaign_sharing import check_both_widths
from tests.campaigns.conftest import campaign_fields
from tests.integrations.lti.conftest import (  # noqa: F401  (fixtures)
    INSTRUCTOR,
    LEARNER,
    platform,
    registration,
    tool_keys,
)
from tests.integrations.lti.platform import PendingLaunch

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_learner_launched_from_the_course_lands_on_the_first_question(
    page,
    theme,
    platform,  # noqa: F811
    registration,  # noqa: F811
    org,
    org_admin,
):
    seed_bank(current_framework())
    campaign = create_campaign(org, org_admin, campaign_fields(name="Positionnement L1"))
    start = platform.login_initiation_url(
        PendingLaunch(
            "moodle-42",
            [LEARNER],
            name="Inès Morel",
            email="ines@univ.example",
            custom={"palier_campaign": campaign.code},
        )
    )
    # The first launch of a session waits on a cold server: allow it more than the default.
    page.goto(start, timeout=60_000)
    page.wait_for_url("**/positionnement/**", timeout=60_000)
    assert page.get_by_role("heading", level=1).first.is_visible()
    check_both_widths(page)


def test_a_teacher_inserts_a_campaign_from_the_course(
    page,
    theme,
    platform,  # noqa: F811
    registration,  # noqa: F811
    org,
    org_admin,
):
    campaign = create_campaign(org, org_admin, campaign_fields(name="Positionnement L1"))
    PlatformAccount.objects.create(platform=registration, subject="teacher-1", user=org_admin)
    start = platform.login_initiation_url(
        PendingLaunch("teacher-1", [INSTRUCTOR], deep_linking=True)
    )
    page.goto(start, timeout=60_000)
    page.wait_for_url("**/lti/inserer/", timeout=60_000)
    assert page.get_by_role("heading", level=1, name="Ajouter Palier à votre cours").is_visible()
    check_both_widths(page)
    # DSFR draws the radio inside its label: click the label, as a person does.
    page.locator("label", has_text="Une campagne de mon organisme").click()
    page.locator("#id_campaign").select_option(str(campaign.pk))
    page.get_by_role("button", name="Ajouter au cours").click()
    page.wait_for_url(platform.deep_link_return_url, timeout=60_000)
    assert platform.deep_link_items[0]["custom"] == {"palier_campaign": campaign.code}
