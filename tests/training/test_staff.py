import pytest
from django.urls import reverse

from palier.organisations.choices import MembershipRole
from palier.training.models import Module
from tests.factories import make_member
from tests.training.conftest import module_data

pytestmark = pytest.mark.django_db


def test_provider_admins_propose_modules_that_go_to_moderation(client, catalogue):
    admin = make_member(catalogue["university"], MembershipRole.ADMIN)
    client.force_login(admin)
    url = reverse("training:module_new", args=["univ-test"])
    response = client.post(url, module_data())
    assert response.status_code == 302
    module = Module.objects.get(title_fr="Sécuriser son poste en stage")
    assert module.provider == catalogue["university"] and module.status == "submitted"
    assert module.statuses == "student"
    page = client.get(reverse("training:provider_modules", args=["univ-test"]))
    assert "Sécuriser son poste en stage" in page.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"hours": "0"}, "hours"),
        ({"hours": "-2"}, "hours"),
        ({"enrol_url": "javascript:alert(1)"}, "enrol_url"),
        ({"enrol_url": "ftp://univ.example/x"}, "enrol_url"),
        ({"capacities": ["999999"]}, "capacities"),
        ({"target_level": "7"}, "target_level"),
        ({"title_fr": ""}, "title_fr"),
        ({"title_fr": "x" * 201}, "title_fr"),
    ],
)
def test_invalid_modules_are_refused_and_nothing_is_stored(client, catalogue, changes, field):
    client.force_login(make_member(catalogue["university"], MembershipRole.ADMIN))
    before = Module.objects.count()
    response = client.post(
        reverse("training:module_new", args=["univ-test"]), module_data(**changes)
    )
    assert response.status_code == 200 and field in response.context["form"].errors
    assert Module.objects.count() == before


def test_staff_only_edit_their_own_organisations_modules(client, catalogue):
    other_admin = make_member(catalogue["private"], MembershipRole.ADMIN)
    member = make_member(catalogue["university"], MembershipRole.MEMBER)
    client.force_login(other_admin)
    foreign = reverse("training:module_edit", args=["univ-test", "cyber-etudiants"])
    assert client.get(foreign).status_code == 404
    crossed = reverse("training:module_edit", args=["fc-test", "cyber-etudiants"])
    assert client.post(crossed, module_data()).status_code == 404
    client.force_login(member)
    assert client.get(reverse("training:provider_modules", args=["univ-test"])).status_code == 200
    assert client.get(foreign).status_code == 403
    assert Module.objects.get(code="cyber-etudiants").title_fr == "Module cyber-etudiants"
