"""A certified result reaches an organisation only when its holder shares it; the candidate's
API gives the credential."""

import pytest
from django.utils import timezone

from palier.campaigns.models import Participation
from palier.campaigns.services import create_campaign
from palier.certification import jury_services, services
from palier.certification.keys import new_seed
from tests.campaigns.conftest import campaign_fields
from tests.certification.factories import (
    make_candidate,
    make_centre,
    make_certificate,
    make_session,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(framework, org, org_admin):
    session = make_session(make_centre(), framework, status="finalised")
    candidate = make_candidate(session, user=make_user(first_name="Inès", last_name="Roy"))
    make_certificate(candidate, {"D1": {"level": 3, "probability": 0.94}})
    candidate.published_at = timezone.now()
    candidate.save()
    campaign = create_campaign(org, org_admin, campaign_fields())
    Participation.objects.create(campaign=campaign, user=candidate.user)
    return candidate


def test_an_organisation_sees_a_result_only_while_it_is_shared(client, published, org, org_member):
    client.force_login(org_member)
    url = f"/organisations/{org.slug}/certification/partages/"
    assert "Inès Roy" not in client.get(url).content.decode()
    jury_services.share_result(published, org.pk)
    page = client.get(url).content.decode()
    assert "Inès Roy" in page and published.certificate.code in page
    jury_services.stop_sharing(published, org.pk)
    assert "Inès Roy" not in client.get(url).content.decode()


def test_a_learner_shares_only_with_their_own_organisations(published, outsider):
    other = outsider.memberships.get().organisation
    with pytest.raises(services.CertificationError) as refused:
        jury_services.share_result(published, other.pk)
    assert refused.value.status == 404


def test_outsiders_do_not_reach_the_shared_results(client, published, org, outsider):
    client.force_login(outsider)
    assert client.get(f"/organisations/{org.slug}/certification/partages/").status_code == 404


def test_the_candidate_api_gives_the_credential(client, published, settings):
    settings.PALIER_CREDENTIAL_KEY = [new_seed()]
    client.force_login(published.user)
    url = f"/api/v1/certification/candidacies/{published.pk}/credential"
    body = client.get(url).json()
    assert body["type"] == "EnvelopedVerifiableCredential"
    assert body["id"].startswith("data:application/vc+jwt,")
    client.force_login(make_user())
    assert client.get(url).status_code == 404
