"""LTI Advantage with a real platform: deep linking, scores (AGS), rosters (NRPS)."""

from __future__ import annotations

import re
from statistics import fmean

import pytest
import requests

from palier.assessments.results import result_of
from palier.campaigns.models import Campaign, ExpectedLearner, Participation
from palier.campaigns.services import create_campaign, share
from palier.frameworks.queries import current_framework
from palier.integrations.lti import tasks
from palier.integrations.lti.models import Course, GradePassback, PlatformAccount
from tests.assessments.conftest import seed_bank
from tests.campaigns.conftest import campaign_fields
from tests.campaigns.test_services import finish
from tests.integrations.lti.conftest import INSTRUCTOR, LEARNER, csrf_of, launch
from tests.integrations.lti.platform import LINE_ITEM_MAXIMUM, PendingLaunch


def signed_in_teacher(platform, registration, teacher, custom=None, deep_linking=False):
    PlatformAccount.objects.get_or_create(platform=registration, subject="teacher-1", user=teacher)
    browser = requests.Session()
    answer = launch(
        browser,
        platform,
        PendingLaunch("teacher-1", [INSTRUCTOR], custom=custom or {}, deep_linking=deep_linking),
    )
    assert answer.status_code == 302, answer.text[:300]
    return browser, platform.tool_base_url + answer.headers["Location"]


def test_a_teacher_inserts_a_campaign_of_their_organisation_by_deep_linking(
    platform, registration, org, org_admin
):
    campaign = create_campaign(org, org_admin, campaign_fields())
    browser, page_url = signed_in_teacher(platform, registration, org_admin, deep_linking=True)
    page = browser.get(page_url)
    assert page.status_code == 200
    assert campaign.name in page.text
    answer = browser.post(
        page_url,
        data={
            "csrfmiddlewaretoken": csrf_of(page.text),
            "what": "campaign",
            "campaign": campaign.pk,
        },
    )
    assert answer.status_code == 200
    action = re.search(
        r'action="([^"]+)"', answer.text.split('id="lti-deep-link-return"')[0][-400:]
    )
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    assert platform.deep_link_return_url in answer.text
    received = browser.post(platform.deep_link_return_url, data={"JWT": token})
    assert received.status_code == 200, received.text
    (item,) = platform.deep_link_items
    assert item["type"] == "ltiResourceLink"
    assert item["custom"] == {"palier_campaign": campaign.code}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert action is not None


def test_a_teacher_inserts_the_positioning_test_on_chosen_areas(
    platform, registration, org, org_admin
):
    browser, page_url = signed_in_teacher(platform, registration, org_admin, deep_linking=True)
    page = browser.get(page_url)
    answer = browser.post(
        page_url,
        data={"csrfmiddlewaretoken": csrf_of(page.text), "what": "test", "areas": ["D1", "D3"]},
    )
    token = re.search(r'name="JWT" value="([^"]+)"', answer.text).group(1)
    assert browser.post(platform.deep_link_return_url, data={"JWT": token}).status_code == 200
    assert platform.deep_link_items[0]["custom"] == {"palier_areas": "D1,D3"}


def test_a_learner_who_shares_sends_the_mean_level_to_the_line_item(
    platform, registration, org, org_admin, run_tasks
):
    seed_bank(current_framework())
    campaign = create_campaign(org, org_admin, campaign_fields(areas=["D1", "D2"]))
    answer = launch(
        requests.Session(),
        platform,
        PendingLaunch(
            "moodle-7",
            [LEARNER],
            email="alice@univ.example",
            custom={"palier_campaign": campaign.code},
        ),
    )
    assert answer.status_code == 302
    participation = Participation.objects.get(campaign=campaign)
    grade = GradePassback.objects.get(participation=participation)
    assert grade.lineitem_url == platform.lineitem_url
    finish(participation.attempt)
    run_tasks()
    assert platform.scores == []  # a consent campaign: nothing leaves before sharing
    share(Participation.objects.get(pk=participation.pk))
    run_tasks()
    (score,) = platform.scores
    participation.refresh_from_db()
    levels = {code: area["level"] for code, area in participation.snapshot["areas"].items()}
    count = len(result_of(participation.attempt).areas[0].level_probabilities)
    assert score["userId"] == "moodle-7"
    assert score["scoreMaximum"] == LINE_ITEM_MAXIMUM
    assert score["scoreGiven"] == pytest.approx(
        fmean(levels.values()) / count * LINE_ITEM_MAXIMUM, abs=0.01
    )
    assert score["comment"].startswith(f"D1 : niveau {levels['D1']} sur {count}")
    assert score["activityProgress"] == "Completed"
    grade.refresh_from_db()
    assert grade.status == GradePassback.Status.SENT


def test_a_score_that_keeps_failing_is_retried_then_shown_to_staff(
    platform, registration, org, org_admin, run_tasks, monkeypatch, client
):
    seed_bank(current_framework())
    campaign = create_campaign(
        org, org_admin, campaign_fields(areas=["D1"], sharing=Campaign.Sharing.AUTOMATIC)
    )
    launch(
        requests.Session(),
        platform,
        PendingLaunch("moodle-8", [LEARNER], custom={"palier_campaign": campaign.code}),
    )
    participation = Participation.objects.get(campaign=campaign)
    monkeypatch.setattr(tasks, "BACKOFF_MINUTES", (0, 0))
    platform.stop()  # the platform is down for every try
    finish(participation.attempt)
    run_tasks()
    grade = GradePassback.objects.get(participation=participation)
    assert grade.status == GradePassback.Status.FAILED
    assert grade.tries == 3
    registration.refresh_from_db()
    assert registration.last_error_message.startswith("score not sent")
    client.force_login(org_admin)
    page = client.get(f"/lti/organismes/{org.slug}/campagnes/{campaign.pk}/")
    assert page.status_code == 200
    assert "Notes non transmises" in page.content.decode()


def test_staff_import_the_course_roster_as_expected_learners(
    platform, registration, org, org_admin
):
    campaign = create_campaign(org, org_admin, campaign_fields())
    platform.members = [
        {
            "user_id": "s1",
            "roles": [LEARNER],
            "email": "s1@univ.example",
            "given_name": "Sam",
            "family_name": "Durand",
            "status": "Active",
        },
        {
            "user_id": "s2",
            "roles": [LEARNER],
            "email": "s2@univ.example",
            "given_name": "Lou",
            "family_name": "Petit",
            "status": "Inactive",
        },
        {
            "user_id": "t1",
            "roles": [INSTRUCTOR],
            "email": "t1@univ.example",
            "given_name": "Eva",
            "family_name": "Roy",
        },
    ]
    browser, _dashboard = signed_in_teacher(
        platform, registration, org_admin, custom={"palier_campaign": campaign.code}
    )
    course = Course.objects.get(campaign=campaign)
    page_url = f"{platform.tool_base_url}/lti/organismes/{org.slug}/campagnes/{campaign.pk}/"
    page = browser.get(page_url)
    assert page.status_code == 200
    answer = browser.post(
        page_url, data={"csrfmiddlewaretoken": csrf_of(page.text), "course": course.pk}
    )
    assert answer.status_code == 200, answer.text[-500:]
    assert list(
        ExpectedLearner.objects.filter(campaign=campaign).values_list("email", flat=True)
    ) == ["s1@univ.example"]
