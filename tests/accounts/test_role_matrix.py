"""Each platform role against each protected page and API operation of the foundation."""

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.organisations.choices import MembershipRole
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db

ROLES = [None, *Role.values]  # None: anonymous visitor
ALLOWED, LOGIN, FORBIDDEN, HIDDEN, UNAUTHENTICATED = 200, "login", 403, 404, 401

# page or operation -> who may use it (roles); others get the listed refusal.
MATRIX = {
    "profile": ({role for role in Role.values}, FORBIDDEN),
    "my_data": ({role for role in Role.values}, FORBIDDEN),
    "delete": ({role for role in Role.values}, FORBIDDEN),
    "organisations": ({role for role in Role.values}, FORBIDDEN),
    "steering": ({Role.STEERING, Role.FUNDER, Role.ADMINISTRATOR}, FORBIDDEN),
    "admin": ({Role.ADMINISTRATOR}, FORBIDDEN),
    "integrations": ({Role.ADMINISTRATOR}, FORBIDDEN),
    "authoring": ({Role.AUTHOR, Role.PSYCHOMETRICIAN, Role.ADMINISTRATOR}, FORBIDDEN),
    "coverage": ({Role.AUTHOR, Role.PSYCHOMETRICIAN, Role.ADMINISTRATOR}, FORBIDDEN),
    "api_items": ({Role.AUTHOR, Role.PSYCHOMETRICIAN, Role.ADMINISTRATOR}, FORBIDDEN),
    "api_me": ({role for role in Role.values}, FORBIDDEN),
    "api_steering": ({Role.STEERING, Role.ADMINISTRATOR}, FORBIDDEN),
}
PATHS = {
    "profile": lambda: reverse("accounts:profile"),
    "my_data": lambda: reverse("accounts:my_data"),
    "delete": lambda: reverse("accounts:delete"),
    "organisations": lambda: reverse("organisations:mine"),
    "steering": lambda: reverse("steering:dashboard"),
    "admin": lambda: reverse("admin:index"),
    "integrations": lambda: reverse("admin:integrations_status"),
    "authoring": lambda: reverse("authoring:items_item_changelist"),
    "coverage": lambda: reverse("authoring:coverage"),
    "api_items": lambda: "/api/v1/items",
    "api_me": lambda: "/api/v1/me",
    "api_steering": lambda: "/api/v1/steering/learners",
}


def user_with(role: str | None):
    if role is None:
        return None
    roles = () if role == Role.LEARNER else (role,)
    is_admin = role == Role.ADMINISTRATOR
    return make_user(roles=roles, is_staff=is_admin, is_superuser=is_admin)


@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
@pytest.mark.parametrize("target", list(MATRIX))
def test_role_matrix(client, role, target):
    user = user_with(role)
    if user is not None:
        client.force_login(user)
    allowed_roles, refusal = MATRIX[target]
    response = client.get(PATHS[target]())
    if role in allowed_roles:
        assert response.status_code == ALLOWED
    elif role is None and target.startswith("api_"):
        assert response.status_code == UNAUTHENTICATED
    elif role is None or refusal == LOGIN:
        assert response.status_code == 302
        assert "connexion" in response["Location"] or "login" in response["Location"]
    else:
        assert response.status_code == refusal


def test_a_staff_flag_alone_does_not_open_the_management_site(client):
    client.force_login(make_user(is_staff=True))
    assert client.get(reverse("admin:index")).status_code == 403


def test_an_organisation_page_is_for_its_members_only_and_does_not_leak(client):
    organisation = make_organisation()
    member = make_member(organisation)
    admin = make_member(organisation, MembershipRole.ADMIN)
    outsider = make_member(make_organisation("Autre institut"))
    url = reverse("organisations:home", args=[organisation.slug])

    client.force_login(outsider)
    assert client.get(url).status_code == 404
    assert client.get(reverse("organisations:home", args=["no-such-org"])).status_code == 404

    team = reverse("organisations:team", args=[organisation.slug])
    client.force_login(member)
    assert client.get(url).status_code == 200
    team_page = client.get(team)
    assert team_page.status_code == 200
    assert admin.email not in team_page.content.decode()  # members do not see addresses

    client.force_login(admin)
    assert member.email in client.get(team).content.decode()


def test_the_steering_learners_api_hides_groups_smaller_than_ten(client, framework):
    from palier.accounts.services import update_profile
    from palier.frameworks.models import Population

    nurses = Population.objects.get(code="soins-infirmiers")
    for _ in range(10):
        update_profile(
            make_user(),
            first_name="",
            last_name="",
            population=nurses,
            status="student",
            year_of_study=1,
            region="53",
        )
    update_profile(
        make_user(),
        first_name="",
        last_name="",
        population=nurses,
        status="student",
        year_of_study=1,
        region="94",
    )
    client.force_login(make_user(roles=(Role.STEERING,)))
    rows = client.get("/api/v1/steering/learners").json()
    assert rows == [{"population": "soins-infirmiers", "region": "53", "learners": 10}]
