"""Campaign services through the real positioning test: join, take, share, stop sharing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from palier.assessments.models import Attempt
from palier.assessments.services import record_answer
from palier.campaigns import codes, services
from palier.campaigns.models import (
    Campaign,
    CodeAttempt,
    Participation,
    SharedCompetence,
    SharedLevel,
)
from tests.assessments.conftest import right_answer, seeded  # noqa: F401  (fixture)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def finish(attempt: Attempt) -> Attempt:
    """Answer every question right until the test stops."""
    while not attempt.is_finished:
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        record_answer(attempt, attempt.current_position, right_answer(attempt.current_version))
        attempt.refresh_from_db()
    return attempt


@pytest.fixture
def joined(seeded, campaign):  # noqa: F811
    user = make_user()
    return services.join_campaign(user, campaign)


def test_codes_avoid_ambiguous_characters_and_are_unique(make_campaign):
    made = {make_campaign().code for _ in range(20)}
    assert len(made) == 20
    for code in made:
        assert len(code) == codes.LENGTH
        assert not set(code) & set("01OIL")
    code = next(iter(made))
    typed = f" {code[:3].lower()}-{code[3:6]} {code[6:]} "
    assert codes.normalise(typed) == code
    assert codes.normalise("0OIL12345") is None


def test_join_is_idempotent_and_checks_dates(campaign, make_campaign):
    user = make_user()
    first = services.join_campaign(user, campaign)
    assert services.join_campaign(user, campaign) == first
    closed = make_campaign(
        opens_on=timezone.localdate() - timedelta(days=30),
        closes_on=timezone.localdate() - timedelta(days=1),
    )
    with pytest.raises(services.CampaignError) as error:
        services.join_campaign(user, closed)
    assert error.value.code == "campaign_closed"
    assert not Participation.objects.filter(campaign=closed).exists()


def test_external_id_is_required_when_asked(make_campaign):
    campaign = make_campaign(external_id_label="Numéro étudiant")
    with pytest.raises(services.CampaignError) as error:
        services.join_campaign(make_user(), campaign, "  ")
    assert error.value.fields == {"external_id": ["Ce champ est obligatoire."]}
    assert services.join_campaign(make_user(), campaign, " 2026-0042 ").external_id == "2026-0042"


def test_wrong_codes_are_rate_limited_per_user_and_ip(campaign):
    user = make_user()
    for _ in range(services.CODE_ATTEMPTS_LIMIT):
        with pytest.raises(services.CampaignError) as error:
            services.find_campaign(user, "ZZZZZZZZZ", "203.0.113.9")
        assert error.value.status == 404
    # Now even the right code is refused, for this user, wherever they are.
    with pytest.raises(services.CampaignError) as error:
        services.find_campaign(user, campaign.code, "198.51.100.1")
    assert error.value.status == 429
    # Others behind the same address are not affected (per-address limit is much higher);
    # the address is never stored in clear.
    assert services.find_campaign(make_user(), campaign.code, "203.0.113.9") == campaign
    assert services.find_campaign(make_user(), campaign.code, "192.0.2.7") == campaign
    assert not CodeAttempt.objects.filter(key__contains="203.0.113.9").exists()


def test_consent_campaign_shares_only_on_request(joined):
    attempt = services.start_campaign_test(joined, "fr")
    assert attempt.areas == joined.campaign.areas
    joined.refresh_from_db()
    assert joined.status == Participation.Status.STARTED
    finish(attempt)
    joined.refresh_from_db()
    assert joined.status == Participation.Status.FINISHED
    assert joined.snapshot is None
    assert not SharedLevel.objects.exists()

    services.share(joined, plan=True)
    joined.refresh_from_db()
    assert joined.status == Participation.Status.SHARED
    assert joined.plan_shared
    levels = dict(SharedLevel.objects.filter(participation=joined).values_list("area", "level"))
    assert levels == {code: v["level"] for code, v in attempt.result["areas"].items()}
    assert set(joined.snapshot["areas"]) == set(joined.campaign.areas)
    assert joined.snapshot["areas"]["D2"]["target"] is not None  # nursing target profile
    assert SharedCompetence.objects.filter(participation=joined).count() == len(
        joined.snapshot["competences"]
    )
    # Sharing again changes nothing.
    services.share(joined)
    assert SharedLevel.objects.filter(participation=joined).count() == 5


def test_snapshot_is_frozen(joined):
    finish(services.start_campaign_test(joined, "fr"))
    services.share(joined)
    joined.refresh_from_db()
    before = joined.snapshot
    Attempt.objects.filter(pk=joined.attempt_id).update(result={"areas": {}})
    joined.user.profile.year_of_study = 3
    joined.user.profile.save()
    joined.refresh_from_db()
    assert joined.snapshot == before


def test_automatic_campaign_shares_at_the_end_unless_stopped(seeded, make_campaign):  # noqa: F811
    campaign = make_campaign(sharing=Campaign.Sharing.AUTOMATIC, areas=["D2"])
    user = make_user()
    entry = services.join_campaign(user, campaign)
    finish(services.start_campaign_test(entry, "fr"))
    entry.refresh_from_db()
    assert entry.status == Participation.Status.SHARED
    assert list(entry.snapshot["areas"]) == ["D2"]

    other = make_user()
    entry = services.join_campaign(other, campaign)
    services.stop_sharing(other, campaign.organisation)
    finish(services.start_campaign_test(entry, "fr"))
    entry.refresh_from_db()
    assert entry.status == Participation.Status.FINISHED
    with pytest.raises(services.CampaignError) as error:
        services.share(entry)
    assert error.value.code == "sharing_stopped"
    services.resume_sharing(other, campaign.organisation)
    assert services.share(entry).status == Participation.Status.SHARED


def test_stop_sharing_keeps_snapshots_and_stops_plan_sharing(joined):
    finish(services.start_campaign_test(joined, "fr"))
    services.share(joined, plan=True)
    services.stop_sharing(joined.user, joined.campaign.organisation)
    joined.refresh_from_db()
    assert joined.status == Participation.Status.SHARED
    assert joined.snapshot is not None
    assert not joined.plan_shared


def test_collection_campaign_takes_a_recent_result(seeded, make_campaign):  # noqa: F811
    assessment = make_campaign(areas=["D1", "D2"])
    user = make_user()
    first = services.join_campaign(user, assessment)
    finish(services.start_campaign_test(first, "fr"))
    first.refresh_from_db()
    collection = make_campaign(kind=Campaign.Kind.COLLECTION, areas=["D2"])
    entry = services.join_campaign(user, collection)
    with pytest.raises(services.CampaignError):
        services.start_campaign_test(entry, "fr")
    eligible = services.eligible_results(entry)
    assert [a.pk for a in eligible] == [first.attempt_id]
    # Someone else's attempt, or a result not covering the areas, is refused.
    with pytest.raises(services.CampaignError) as error:
        services.bring_result(entry, "not-an-id")
    assert error.value.status == 422
    services.bring_result(entry, first.attempt_id)
    entry.refresh_from_db()
    assert entry.status == Participation.Status.FINISHED
    services.share(entry)
    entry.refresh_from_db()
    assert list(entry.snapshot["areas"]) == ["D2"]


def test_share_before_finishing_is_refused(joined):
    with pytest.raises(services.CampaignError) as error:
        services.share(joined)
    assert error.value.code == "not_finished"
    joined.refresh_from_db()
    assert joined.snapshot is None


def test_areas_frozen_once_learners_joined(joined):
    campaign = joined.campaign
    with pytest.raises(services.CampaignError):
        services.update_campaign(campaign, {"areas": ["D1"], "kind": campaign.kind})
    campaign.refresh_from_db()
    assert campaign.areas == ["D1", "D2", "D3", "D4", "D5"]


def test_personal_data_lists_participations_and_erasure_drops_the_external_id(make_campaign):
    from palier.accounts.services import erase_user, export_personal_data

    campaign = make_campaign(external_id_label="Numéro étudiant")
    user = make_user()
    services.join_campaign(user, campaign, "E-2026-17")
    data = export_personal_data(user)
    assert data["campaigns"][0]["external_id"] == "E-2026-17"
    assert data["campaigns"][0]["organisation"] == campaign.organisation.name
    erase_user(user)
    assert Participation.objects.get(user=user).external_id == ""


def test_a_test_in_progress_elsewhere_must_be_finished_first(joined):
    from palier.assessments.services import start_attempt

    start_attempt(joined.user, ["D1"])
    with pytest.raises(services.CampaignError) as error:
        services.start_campaign_test(joined, "fr")
    assert error.value.code == "attempt_in_progress"
    joined.refresh_from_db()
    assert joined.status == Participation.Status.JOINED and joined.attempt is None
