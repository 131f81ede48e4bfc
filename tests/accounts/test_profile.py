import json

import pytest
from django.urls import reverse

from palier.accounts.models import LearnerProfile, RoleAssignment, User
from palier.accounts.roles import Role
from palier.organisations.models import Membership
from tests.factories import PASSWORD, make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db
VALID = {
    "first_name": "Hugo",
    "last_name": "Bernard",
    "population": "soins-infirmiers",
    "status": "student",
    "year_of_study": "2",
    "region": "53",
}


@pytest.fixture
def learner(client, framework):
    user = make_user("hugo@example.org")
    client.force_login(user)
    return user


def test_a_learner_fills_in_their_profile(client, learner):
    response = client.post(reverse("accounts:profile"), VALID)
    assert response.status_code == 302
    profile = LearnerProfile.objects.get(user=learner)
    assert (profile.population.code, profile.status, profile.year_of_study, profile.region) == (
        "soins-infirmiers",
        "student",
        2,
        "53",
    )
    assert User.objects.get(pk=learner.pk).last_name == "Bernard"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"population": "astronaute"}, "population"),
        ({"status": "retired"}, "status"),
        ({"year_of_study": "9"}, "year_of_study"),
        ({"year_of_study": "deux"}, "year_of_study"),
        ({"status": "self_employed", "year_of_study": "2"}, "year_of_study"),
        ({"region": "99"}, "region"),
        ({"first_name": "x" * 151}, "first_name"),
    ],
)
def test_invalid_profile_values_are_refused_and_nothing_changes(client, learner, changes, field):
    response = client.post(reverse("accounts:profile"), {**VALID, **changes})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    profile = LearnerProfile.objects.get(user=learner)
    assert profile.population is None and profile.status == "" and profile.region == ""


def test_download_my_data_gives_everything_stored_about_me(client, learner):
    client.post(reverse("accounts:profile"), VALID)
    organisation = make_organisation("IFSI Test")
    Membership.objects.create(user=learner, organisation=organisation, role="member")
    response = client.get(reverse("accounts:my_data"))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    assert data["account"]["email"] == "hugo@example.org"
    assert data["profile"] == {
        "population": "soins-infirmiers",
        "status": "student",
        "year_of_study": 2,
        "region": "53",
        "extra_time": False,
        "uses_screen_reader": False,
        "learning_records_opt_out": False,
    }
    assert data["organisations"]["memberships"][0]["organisation"] == "IFSI Test"


def test_deleting_an_account_erases_personal_data_and_keeps_pseudonymous_statistics(
    client, learner
):
    client.post(reverse("accounts:profile"), VALID)
    RoleAssignment.objects.create(user=learner, role=Role.AUTHOR)
    make_member(make_organisation())
    Membership.objects.create(user=learner, organisation=make_organisation(), role="admin")
    pseudonym = learner.pseudonym
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    erased = User.objects.get(pk=learner.pk)
    assert erased.email.endswith("@erased.invalid")
    assert (erased.first_name, erased.last_name) == ("", "")
    assert not erased.is_active and not erased.has_usable_password()
    assert erased.pseudonym == pseudonym and erased.erased_at is not None
    assert not Membership.objects.filter(user=erased).exists()
    assert not RoleAssignment.objects.filter(user=erased).exists()
    assert LearnerProfile.objects.get(user=erased).population.code == "soins-infirmiers"
    assert "_auth_user_id" not in client.session
    again = client.post(
        reverse("accounts:login"), {"username": "hugo@example.org", "password": PASSWORD}
    )
    assert again.status_code == 200 and "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"password": "wrong", "confirm": "on"}, "password"),
        ({"password": PASSWORD}, "confirm"),
        ({}, "password"),
    ],
)
def test_deletion_needs_the_password_and_the_confirmation(client, learner, data, field):
    response = client.post(reverse("accounts:delete"), data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert User.objects.get(pk=learner.pk).is_active


@pytest.mark.parametrize(
    "typed",
    [
        "Nursing (state diploma in nursing)",
        "  formation EN soins infirmiers (diplôme d'état d'infirmier) ",
    ],
)
def test_the_curriculum_is_found_by_its_name_in_french_or_english(client, learner, typed):
    client.post(reverse("accounts:profile"), {**VALID, "population": typed})
    assert LearnerProfile.objects.get(user=learner).population.code == "soins-infirmiers"


def test_an_unknown_curriculum_is_a_form_error_and_changes_nothing(client, learner):
    client.post(reverse("accounts:profile"), VALID)
    response = client.post(reverse("accounts:profile"), {**VALID, "population": "Astronaute"})
    assert response.status_code == 200
    assert "population" in response.context["form"].errors
    assert LearnerProfile.objects.get(user=learner).population.code == "soins-infirmiers"


def test_english_pages_suggest_curricula_in_english(client, learner):
    content = client.get("/en" + reverse("accounts:profile")).content.decode()
    assert '<option value="Nursing (state diploma in nursing)">' in content
    assert "Formation en soins infirmiers" not in content
