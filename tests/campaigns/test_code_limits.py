"""Wrong campaign codes are limited per learner, and per client address at a higher limit."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from palier.campaigns import services
from palier.campaigns.models import Participation
from tests.factories import make_user

pytestmark = pytest.mark.django_db
SCHOOL_NAT = "192.0.2.10"


def type_code(client: Client, code: str, address: str, **extra: str):
    return client.post(reverse("campaigns:mine"), {"code": code}, REMOTE_ADDR=address, **extra)


def test_one_student_s_typos_behind_a_school_nat_do_not_stop_the_classroom(campaign):
    typo_prone = Client()
    typo_prone.force_login(make_user())
    for _ in range(services.CODE_ATTEMPTS_LIMIT + 2):
        type_code(typo_prone, "ZZZZZZZZZ", SCHOOL_NAT)
    assert type_code(typo_prone, campaign.code, SCHOOL_NAT).status_code == 429
    for _ in range(9):
        classmate = Client()
        classmate.force_login(make_user())
        response = type_code(classmate, campaign.code, SCHOOL_NAT)
        assert response.status_code == 302
        assert response["Location"] == reverse("campaigns:join", args=[campaign.code])


def test_many_wrong_codes_from_one_address_over_many_accounts_hit_the_address_limit(
    campaign, monkeypatch
):
    monkeypatch.setattr(services, "CODE_ATTEMPTS_PER_ADDRESS_LIMIT", 12)
    for _ in range(4):  # four accounts, three guesses each: no account reaches its own limit
        guesser = make_user()
        for _ in range(3):
            with pytest.raises(services.CampaignError):
                services.find_campaign(guesser, "ZZZZZZZZZ", "203.0.113.66")
    with pytest.raises(services.CampaignError) as error:
        services.find_campaign(make_user(), campaign.code, "203.0.113.66")
    assert error.value.status == 429
    assert services.find_campaign(make_user(), campaign.code, "198.51.100.1") == campaign


@override_settings(PALIER_BEHIND_PROXY=True, PALIER_TRUSTED_PROXY_HOPS=1)
def test_behind_a_proxy_one_person_cannot_stop_joining_site_wide(campaign, monkeypatch):
    monkeypatch.setattr(services, "CODE_ATTEMPTS_PER_ADDRESS_LIMIT", 12)
    for _ in range(3):
        guesser = Client()
        guesser.force_login(make_user())
        for _ in range(5):
            type_code(guesser, "ZZZZZZZZZ", "10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.66")
    learner = Client()
    learner.force_login(make_user())
    response = type_code(learner, campaign.code, "10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert response.status_code == 302
    assert not Participation.objects.exists()
