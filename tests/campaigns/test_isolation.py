"""Isolation of organisations: every staff page (found from the URL configuration, so new
pages are covered without editing this test) answers 404 to staff of another organisation
and to learners, redirects anonymous users to the login page, and refuses changes by
members. Nothing leaks: a missing campaign and another organisation's campaign look alike."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from palier.campaigns import services, staff_urls
from palier.campaigns.models import Campaign
from palier.organisations import urls as organisation_urls
from tests.factories import make_user

pytestmark = pytest.mark.django_db

# Pages that change something: organisation admins only (members get 403 on POST).
ADMIN_ONLY = {
    "campaign_create",
    "campaign_edit",
    "expected_import",
    "campaign_reminders",
    "team_invite",
    "team_role",
    "team_remove",
    "team_cancel_invitation",
    "tokens",
    "token_revoke",
}


def staff_patterns() -> list[URLPattern]:
    """Every page of an organisation: the campaigns staff pages and the organisations app's
    (home, team, tokens)."""
    patterns = [*staff_urls.urlpatterns, *organisation_urls.urlpatterns]
    return [p for p in patterns if "slug" in p.pattern.converters]


@pytest.fixture
def participant(campaign):
    learner = make_user(email="learner@example.org")
    return services.join_campaign(learner, campaign)


def url_for(pattern: URLPattern, slug: str, campaign_id: int, participation_id: int) -> str:
    values = {"slug": slug, "campaign_id": campaign_id, "participation_id": participation_id}
    # Team and token pages: any id; the organisation gate answers before the object's.
    kwargs = {name: values.get(name, 1) for name in pattern.pattern.converters}
    return reverse(f"organisations:{pattern.name}", kwargs=kwargs)


def test_every_staff_page_is_covered():
    names = {p.name for p in staff_patterns()}
    assert {"campaign_create", "dashboard", "participants", "export_csv"} <= names
    assert {"home", "team", "team_invite", "tokens", "token_revoke"} <= names


@pytest.mark.parametrize("pattern", staff_patterns(), ids=lambda p: p.name)
def test_outsiders_and_learners_get_404(client, pattern, org, outsider, participant):
    url = url_for(pattern, org.slug, participant.campaign_id, participant.pk)
    for user in (outsider, participant.user):
        client.force_login(user)
        assert client.get(url).status_code == 404, (user, url)
        # Read-only pages refuse POST with 405 before any lookup: nothing leaks either.
        assert client.post(url, {"name": "x"}).status_code in (404, 405), (user, url)


@pytest.mark.parametrize(
    "pattern",
    [p for p in staff_patterns() if "campaign_id" in p.pattern.converters],
    ids=lambda p: p.name,
)
def test_other_organisations_campaign_looks_missing(client, pattern, org, outsider, participant):
    """The outsider's own organisation slug with our campaign id: 404, as for no campaign."""
    own_slug = outsider.memberships.get().organisation.slug
    client.force_login(outsider)
    ours = url_for(pattern, own_slug, participant.campaign_id, participant.pk)
    missing = url_for(pattern, own_slug, 999999, 999999)
    assert client.get(ours).status_code == client.get(missing).status_code == 404


@pytest.mark.parametrize("pattern", staff_patterns(), ids=lambda p: p.name)
def test_anonymous_users_go_to_the_login_page(client, pattern, org, participant):
    url = url_for(pattern, org.slug, participant.campaign_id, participant.pk)
    page = client.get(url)
    assert page.status_code == 302 and "/compte/connexion/" in page["Location"]


@pytest.mark.parametrize(
    "pattern", [p for p in staff_patterns() if p.name in ADMIN_ONLY], ids=lambda p: p.name
)
def test_members_cannot_change_anything(client, pattern, org, org_member, participant):
    url = url_for(pattern, org.slug, participant.campaign_id, participant.pk)
    client.force_login(org_member)
    before = list(Campaign.objects.values())
    assert client.post(url, {"name": "Changée", "email": "x@example.org"}).status_code == 403
    assert list(Campaign.objects.values()) == before
