"""LTI 1.3 launches from a real platform: learners, instructors, refusals."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import requests

from palier.accounts.models import User
from palier.campaigns.models import Participation
from palier.frameworks.queries import current_framework
from palier.integrations.lti.models import Course, LaunchNonce, PlatformAccount
from tests.assessments.conftest import seed_bank
from tests.campaigns.conftest import campaign_fields
from tests.factories import PASSWORD, make_user
from tests.integrations.lti.conftest import (
    INSTRUCTOR,
    LEARNER,
    authorize,
    csrf_of,
    launch,
    post_launch,
)
from tests.integrations.lti.platform import PendingLaunch, rsa_pem_pair


def test_the_tool_key_set_publishes_the_current_and_the_previous_key(client, tool_keys, db):
    keys = client.get("/lti/jwks.json").json()["keys"]
    assert len(keys) == 2
    assert {key["kty"] for key in keys} == {"RSA"}
    assert all("d" not in key for key in keys)


def test_without_a_key_lti_is_off(client, settings, db):
    settings.PALIER_LTI_KEY = ""
    assert client.get("/lti/jwks.json").status_code == 404
    assert client.post("/lti/lancement/", {"id_token": "x", "state": "y"}).status_code == 400


def test_a_learner_arrives_signed_in_in_the_campaign_and_on_the_test(
    platform, registration, org, org_admin
):
    from palier.campaigns.services import create_campaign

    seed_bank(current_framework())
    campaign = create_campaign(org, org_admin, campaign_fields())
    browser = requests.Session()
    answer = launch(
        browser,
        platform,
        PendingLaunch(
            "moodle-user-7",
            [LEARNER],
            name="Alice Martin",
            email="alice@univ.example",
            custom={"palier_campaign": campaign.code},
        ),
    )
    assert answer.status_code == 302, answer.text[:500]
    assert "/positionnement/" in answer.headers["Location"]
    user = User.objects.get(email="alice@univ.example")
    assert PlatformAccount.objects.filter(user=user, subject="moodle-user-7").exists()
    participation = Participation.objects.get(user=user, campaign=campaign)
    assert participation.status == Participation.Status.STARTED
    # The learner is signed in: the question page opens.
    assert browser.get(platform.tool_base_url + answer.headers["Location"]).status_code == 200
    # Launching again reuses the same account.
    again = launch(
        browser,
        platform,
        PendingLaunch("moodle-user-7", [LEARNER], custom={"palier_campaign": campaign.code}),
    )
    assert again.status_code == 302
    assert User.objects.filter(lti_accounts__subject="moodle-user-7").count() == 1


def test_an_instructor_lands_on_the_dashboard_only_when_staff_of_the_organisation(
    platform, registration, org, org_admin, outsider
):
    from palier.campaigns.services import create_campaign

    campaign = create_campaign(org, org_admin, campaign_fields())
    PlatformAccount.objects.create(platform=registration, subject="teacher-1", user=org_admin)
    PlatformAccount.objects.create(platform=registration, subject="teacher-2", user=outsider)
    custom = {"palier_campaign": campaign.code}
    staff = launch(
        requests.Session(), platform, PendingLaunch("teacher-1", [INSTRUCTOR], custom=custom)
    )
    assert staff.status_code == 302
    assert urlsplit(staff.headers["Location"]).path == (
        f"/organisations/{org.slug}/campagnes/{campaign.pk}/"
    )
    stranger = launch(
        requests.Session(), platform, PendingLaunch("teacher-2", [INSTRUCTOR], custom=custom)
    )
    assert stranger.status_code == 403
    course = Course.objects.get(platform=registration)
    assert course.campaign == campaign
    assert course.memberships_url == platform.memberships_url


def test_an_existing_account_is_linked_only_after_its_owner_signs_in_and_confirms(
    platform, registration
):
    owner = make_user("claire@univ.example", first_name="Claire")
    browser = requests.Session()
    pending = PendingLaunch("moodle-claire", [LEARNER], email="Claire@univ.example")
    answer = launch(browser, platform, pending)
    assert answer.status_code == 302
    assert not PlatformAccount.objects.exists()
    base = platform.tool_base_url
    link_page = browser.get(base + answer.headers["Location"], allow_redirects=False)
    assert link_page.status_code == 302
    assert "/compte/connexion/" in link_page.headers["Location"]
    login_page = browser.get(base + link_page.headers["Location"])
    signed_in = browser.post(
        login_page.url,
        data={
            "csrfmiddlewaretoken": csrf_of(login_page.text),
            "username": owner.email,
            "password": PASSWORD,
        },
    )
    assert signed_in.url.endswith("/lti/lier-mon-compte/"), signed_in.url
    assert "claire@univ.example" in signed_in.text
    linked = browser.post(
        signed_in.url,
        data={"csrfmiddlewaretoken": csrf_of(signed_in.text), "confirm": "yes"},
        allow_redirects=False,
    )
    assert linked.status_code == 302
    assert PlatformAccount.objects.get(subject="moodle-claire").user == owner
    assert User.objects.filter(email__iexact="claire@univ.example").count() == 1
    # The next launch goes straight in.
    again = launch(requests.Session(), platform, pending)
    assert again.status_code == 302
    assert "lier-mon-compte" not in again.headers["Location"]


def test_forged_expired_replayed_and_wrongly_signed_launches_are_refused(
    platform, registration, caplog
):
    caplog.set_level(logging.WARNING, logger="palier.integrations.lti.views")
    browser = requests.Session()
    pending = PendingLaunch("moodle-user-9", [LEARNER], email="bob@univ.example")

    good = authorize(browser, platform, pending)
    assert post_launch(browser, good).status_code == 302
    replay = post_launch(browser, good)
    assert replay.status_code == 400
    assert "nonce unknown or already used" in caplog.text

    form = authorize(browser, platform, pending)
    header, body, signature = form["id_token"].split(".")
    tampered = dict(form, id_token=f"{header}.{body[:-4]}AAAA.{signature}")
    assert post_launch(browser, tampered).status_code == 400

    saved = platform.private_key
    platform.private_key = rsa_pem_pair()[0]  # a key the platform never published
    form = authorize(browser, platform, pending)
    platform.private_key = saved
    assert post_launch(browser, form).status_code == 400

    platform.token_expiration = -120
    form = authorize(browser, platform, pending)
    platform.token_expiration = 300
    assert post_launch(browser, form).status_code == 400
    assert "id_token expired" in caplog.text

    assert post_launch(browser, dict(form, state="state-forged")).status_code == 400
    assert (
        browser.post(form["launch_url"], data={"id_token": "not.a.jwt", "state": "x"}).status_code
        == 400
    )
    registration.refresh_from_db()
    assert registration.last_error_at is not None
    assert LaunchNonce.objects.count() >= 1  # refused launches never consumed their nonce
    assert (
        not User.objects.exclude(email="bob@univ.example")
        .filter(lti_accounts__isnull=False)
        .exists()
    )
