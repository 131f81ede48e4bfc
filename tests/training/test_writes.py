"""Only services write: views, API handlers, staff pages and admin actions call them, and
fetch user-facing objects through training/access.py."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.training.models import Module, PlanEntry
from palier.training.services import moderate_modules
from tests.factories import make_user

SOURCES = Path(__file__).resolve().parents[2] / "src" / "palier"
THIN_MODULES = ("views.py", "api.py", "admin.py", "staff.py")
ORM_WRITE = re.compile(
    r"\.(save|delete|create|update|bulk_create|bulk_update|get_or_create|update_or_create)\("
)
# Fetching by primary key or code outside access.py skips the permission gate.
DIRECT_FETCH = re.compile(r"get_object_or_404\(|\.objects\.get\(")


def offending_lines(pattern: re.Pattern[str], apps: tuple[str, ...]) -> list[str]:
    found = []
    for app in apps:
        for name in THIN_MODULES:
            path = SOURCES / app / name
            if not path.exists():
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                # Route decorators (`@router.delete(`) name HTTP methods, not ORM calls.
                if pattern.search(line) and not line.lstrip().startswith("@"):
                    found.append(f"{app}/{name}:{number}: {line.strip()}")
    return found


def test_training_and_assessments_views_api_and_admin_write_nothing_themselves():
    assert offending_lines(ORM_WRITE, ("training", "assessments")) == []


def test_training_pages_and_api_fetch_objects_through_the_access_gates():
    assert offending_lines(DIRECT_FETCH, ("training",)) == []


pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator(client):
    user = make_user(roles=(Role.ADMINISTRATOR,), is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def test_the_publish_action_of_the_management_site_publishes_the_chosen_modules(
    client, administrator, catalogue
):
    draft = catalogue["draft"]
    response = client.post(
        reverse("admin:training_module_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Module.Status.PUBLISHED


def test_moderation_counts_only_the_modules_it_changed_and_refuses_other_statuses(catalogue):
    modules = Module.objects.filter(code__in=["brouillon", "telesante"])
    assert moderate_modules(modules, Module.Status.PUBLISHED) == 1  # telesante already was
    with pytest.raises(ValueError):
        moderate_modules(modules, Module.Status.DRAFT)
    assert set(modules.values_list("status", flat=True)) == {Module.Status.PUBLISHED}


def test_another_learners_plan_entry_is_not_found_on_the_page_or_the_api(client, catalogue):
    owner = make_user()
    entry = PlanEntry.objects.create(user=owner, module=catalogue["students"])
    client.force_login(make_user())
    page = client.post(reverse("training:update", args=[entry.pk]), {"remove": "1"})
    api = client.patch(
        f"/api/v1/training/plan/{entry.pk}",
        {"progress": "completed"},
        content_type="application/json",
    )
    assert page.status_code == 404 and api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    entry.refresh_from_db()
    assert entry.progress == PlanEntry.Progress.PLANNED


def test_an_unknown_module_cannot_be_added_to_a_plan(client, catalogue):
    learner = make_user()
    client.force_login(learner)
    page = client.post(reverse("training:add"), {"module": "inconnu"})
    api = client.post(
        "/api/v1/training/plan", {"module": "inconnu"}, content_type="application/json"
    )
    assert page.status_code == 302 and api.status_code == 404
    assert not PlanEntry.objects.filter(user=learner).exists()
