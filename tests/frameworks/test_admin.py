import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.frameworks.models import Area, Framework
from palier.frameworks.services import freeze_framework
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = make_user(roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_a_frozen_version_is_read_only_in_the_management_site(client, administrator, framework):
    freeze_framework(framework)
    area = framework.areas.get(code="D1")
    url = reverse("admin:frameworks_area_change", args=[area.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = client.post(
        url,
        {
            "title_fr": "Piraté",
            "code": "D1",
            "number": 1,
            "framework": framework.pk,
            "reference_hours": 6,
        },
    )
    assert response.status_code == 403
    assert Area.objects.get(pk=area.pk).title_fr == "Données de santé"


def test_the_new_version_action_copies_a_frozen_version(client, administrator, framework):
    freeze_framework(framework)
    response = client.post(
        reverse("admin:frameworks_framework_changelist"),
        {"action": "make_new_version", "_selected_action": [framework.pk]},
    )
    assert response.status_code == 302
    copy = Framework.objects.get(version="2026.1-r2")
    assert copy.areas.count() == 5 and not copy.is_frozen
