"""Issue 16's LTI journey in a real browser, both themes, axe at 1280 and 390 px: a learner
clicks the activity in the course of a real LTI 1.3 platform and lands, signed in, on the
first question of the campaign's test."""

from __future__ import annotations

import pytest

from palier.campaigns.services import create_campaign
from palier.frameworks.queries import current_framework
from tests.assessments.conftest import seed_bank
from tests.browser.test_campaign_sharing import check_both_widths
from tests.campaigns.conftest import campaign_fields
from tests.integrations.lti.conftest import (  # noqa: F401  (fixtures)
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
