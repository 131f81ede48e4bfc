"""Isolation of certification centres: every staff page (found from the URL configuration,
so new pages are covered without editing this test) and the staff API answer 404 to another
centre's staff, an outsider, a plain learner and a candidate, and for an organisation that is
not a centre; members get 403 on changes, which change nothing."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, reverse

from palier.certification import staff_urls
from palier.certification.models import Candidate, Session
from palier.organisations.choices import MembershipRole
from palier.organisations.tokens import create_token
from tests.certification.factories import make_candidate, make_centre, make_session
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

ADMIN_ONLY = {
    "session_create",
    "session_edit",
    "session_open",
    "session_cancel",
    "session_new_code",
    "candidate_enrol",
    "candidate_remove",
    "candidate_import",
    "candidate_import_confirm",
}
API = "/api/v1/organisations/{slug}/certification/sessions"


def url_for(pattern: URLPattern, slug: str, session_id: int, candidate_id: int) -> str:
    values = {"slug": slug, "session_id": session_id, "candidate_id": candidate_id}
    kwargs = {name: values[name] for name in pattern.pattern.converters}
    return reverse(f"certification_staff:{pattern.name}", kwargs={"slug": slug, **kwargs})


@pytest.fixture
def candidate(org, framework):
    session = make_session(make_centre(org), framework, status=Session.Status.SCHEDULED)
    return make_candidate(session, make_user(email="candidate@example.org"))


@pytest.fixture
def other_centre_admin(framework):
    """The admin of another certification centre."""
    other = make_organisation("Centre Voisin", slug="centre-voisin")
    make_centre(other)
    return make_member(other, MembershipRole.ADMIN, email="admin@centre-voisin.example")


def test_every_page_is_covered():
    names = {p.name for p in staff_urls.urlpatterns}
    assert names > ADMIN_ONLY and {"sessions", "session", "results"} <= names


@pytest.mark.parametrize("pattern", staff_urls.urlpatterns, ids=lambda p: p.name)
def test_strangers_get_404(client, pattern, candidate, outsider, other_centre_admin):
    url = url_for(pattern, "ifsi-tilleuls", candidate.session_id, candidate.pk)
    strangers = (outsider, other_centre_admin, candidate.user, make_user())
    for user in strangers:
        client.force_login(user)
        assert client.get(url).status_code == 404, (user, url)
        assert client.post(url, {"room": "x"}).status_code in (404, 405), (user, url)


@pytest.mark.parametrize(
    "pattern",
    [p for p in staff_urls.urlpatterns if "session_id" in p.pattern.converters],
    ids=lambda p: p.name,
)
def test_another_centres_session_looks_missing(client, pattern, candidate, other_centre_admin):
    client.force_login(other_centre_admin)
    ours = url_for(pattern, "centre-voisin", candidate.session_id, candidate.pk)
    missing = url_for(pattern, "centre-voisin", 999999, 999999)
    assert client.get(ours).status_code == client.get(missing).status_code == 404


# Every organisation reads the certified results its learners share with it ("shared").
CENTRE_PAGES = [p for p in staff_urls.urlpatterns if p.name != "shared"]


@pytest.mark.parametrize("pattern", CENTRE_PAGES, ids=lambda p: p.name)
def test_an_organisation_that_is_not_a_centre_has_no_certification_pages(
    client, pattern, org, org_admin
):
    client.force_login(org_admin)
    assert client.get(url_for(pattern, org.slug, 1, 1)).status_code == 404


@pytest.mark.parametrize("pattern", staff_urls.urlpatterns, ids=lambda p: p.name)
def test_anonymous_users_go_to_the_login_page(client, pattern, candidate):
    page = client.get(url_for(pattern, "ifsi-tilleuls", candidate.session_id, candidate.pk))
    assert page.status_code == 302 and "/compte/connexion/" in page["Location"]


@pytest.mark.parametrize(
    "pattern",
    [p for p in staff_urls.urlpatterns if p.name in ADMIN_ONLY],
    ids=lambda p: p.name,
)
def test_members_cannot_change_anything(client, pattern, candidate, org_member):
    url = url_for(pattern, "ifsi-tilleuls", candidate.session_id, candidate.pk)
    client.force_login(org_member)
    before = (list(Session.objects.values()), list(Candidate.objects.values()))
    assert client.post(url, {"room": "Changée", "email": org_member.email}).status_code == 403
    assert (list(Session.objects.values()), list(Candidate.objects.values())) == before


# --- the API ------------------------------------------------------------------------------


def api_paths(slug: str, session_id: int, candidate_id: int) -> list[str]:
    base = API.format(slug=slug)
    return [
        base,
        f"{base}/{session_id}",
        f"{base}/{session_id}/candidates",
        f"{base}/{session_id}/results",
    ]


def test_the_api_answers_404_to_strangers_and_other_tokens(
    client, candidate, outsider, other_centre_admin
):
    session_id = candidate.session_id
    for user in (outsider, other_centre_admin, candidate.user):
        client.force_login(user)
        for path in api_paths("ifsi-tilleuls", session_id, candidate.pk):
            assert client.get(path).status_code == 404, (user, path)
    client.logout()
    other = other_centre_admin.memberships.get().organisation
    _row, secret = create_token(other, other_centre_admin, "Voisin")
    headers = {"Authorization": f"Bearer {secret}"}
    for path in api_paths("ifsi-tilleuls", session_id, candidate.pk):
        assert client.get(path, headers=headers).status_code == 404, path
    # Its own slug with our session: 404, as a session that does not exist.
    for path in api_paths("centre-voisin", session_id, candidate.pk)[1:]:
        assert client.get(path, headers=headers).status_code == 404, path
    delete = f"{API.format(slug='centre-voisin')}/{session_id}/candidates/{candidate.pk}"
    assert client.delete(delete, headers=headers).status_code == 404
    assert Candidate.objects.filter(pk=candidate.pk).exists()


def test_the_api_of_an_organisation_that_is_not_a_centre_is_404(client, org, org_admin):
    client.force_login(org_admin)
    assert client.get(API.format(slug=org.slug)).status_code == 404


def test_members_cannot_remove_a_candidate_through_the_api(client, candidate, org_member):
    client.force_login(org_member)
    path = f"{API.format(slug='ifsi-tilleuls')}/{candidate.session_id}/candidates/{candidate.pk}"
    assert client.delete(path).status_code == 403
    assert Candidate.objects.filter(pk=candidate.pk).exists()
