"""Targets as data: editing adds a version and never changes a stored one, the last
version is in force, a version can retire a target, and only steering edits them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.steering.models import Target
from palier.steering.seed import load_target_seed
from palier.steering.target_services import (
    TargetError,
    add_target_version,
    create_target,
    latest_targets,
    targets_in_force,
)
from tests.factories import make_user

pytestmark = [pytest.mark.django_db]

CODE = "apprenants-sante-60-pct-2025"


@pytest.fixture
def seeded(framework):
    load_target_seed()


@pytest.fixture
def steering(framework):
    return make_user("pilotage@example.org", roles=(Role.STEERING,))


def edit_fields(target: Target, **change) -> dict:
    fields = {
        "title_fr": target.title_fr,
        "title_en": target.title_en,
        "value": str(target.value),
        "year": target.year,
        "source": target.source,
        **change,
    }
    if target.yearly:
        fields.setdefault("yearly", "on")
    if target.is_active:
        fields.setdefault("is_active", "on")
    return {name: value for name, value in fields.items() if value is not None}


def row_values(target: Target) -> dict:
    return {field.name: getattr(target, field.attname) for field in Target._meta.concrete_fields}


def test_editing_a_target_adds_a_version_and_leaves_the_old_row_unchanged(client, seeded, steering):
    first = Target.objects.get(code=CODE)
    before = row_values(first)
    client.force_login(steering)
    url = reverse("steering_denominators:target", args=[CODE])
    response = client.post(url, edit_fields(first, value="65", source="Nouvelle source"))
    assert response.status_code == 302
    assert row_values(Target.objects.get(pk=first.pk)) == before
    second = Target.objects.get(code=CODE, version=2)
    assert (second.value, second.source, second.created_by) == (
        Decimal(65),
        "Nouvelle source",
        steering,
    )
    # Indicator, kind and populations come from the version in force.
    assert (second.indicator, second.kind, second.population_kinds) == (
        first.indicator,
        first.kind,
        first.population_kinds,
    )
    assert second in targets_in_force() and first not in targets_in_force()
    response = client.get(url)
    content = response.content.decode()
    assert "Historique des versions" in content and "Nouvelle source" in content
    # The number box gets plain digits (a localised "65,0" would show empty).
    assert response.context["form"].initial["value"] == "65"
    assert 'value="65"' in content


def test_a_version_identical_to_the_one_in_force_is_refused(client, seeded, steering):
    target = Target.objects.get(code=CODE)
    client.force_login(steering)
    response = client.post(
        reverse("steering_denominators:target", args=[CODE]), edit_fields(target)
    )
    assert response.status_code == 200
    assert "Rien n&#x27;a changé" in response.content.decode()
    assert Target.objects.filter(code=CODE).count() == 1


def test_a_share_above_100_is_refused_with_nothing_stored(client, seeded, steering):
    target = Target.objects.get(code=CODE)
    client.force_login(steering)
    response = client.post(
        reverse("steering_denominators:target", args=[CODE]), edit_fields(target, value="120")
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Target.objects.filter(code=CODE).count() == 1
    with pytest.raises(TargetError):
        add_target_version(CODE, steering, {"value": Decimal(0)})
    with pytest.raises(TargetError) as caught:
        add_target_version(CODE, steering, {"indicator": "certified"})
    assert caught.value.code == "not_editable"
    assert Target.objects.filter(code=CODE).count() == 1


def test_a_version_can_retire_a_target_and_a_later_one_bring_it_back(seeded, steering):
    add_target_version(CODE, steering, {"is_active": False})
    assert CODE not in {target.code for target in targets_in_force()}
    retired = {line.target.code: line for line in latest_targets()}[CODE]
    assert (retired.target.is_active, retired.versions) == (False, 2)
    add_target_version(CODE, steering, {"is_active": True})
    assert CODE in {target.code for target in targets_in_force()}
    assert Target.objects.filter(code=CODE).count() == 3


def test_the_list_shows_the_targets_in_force_and_the_retired_ones(client, seeded, steering):
    add_target_version("professionnels-10-pct-2027", steering, {"is_active": False})
    client.force_login(steering)
    response = client.get(reverse("steering_denominators:targets"))
    assert response.status_code == 200
    assert len(response.context["in_force"]) == 5
    assert [row["target"].code for row in response.context["retired"]] == [
        "professionnels-10-pct-2027"
    ]
    content = response.content.decode()
    assert "60 % des apprenants" in content and "70\u00a0000 apprenants" in content


def test_steering_creates_a_target_whose_code_is_then_taken(client, framework, steering):
    client.force_login(steering)
    fields = {
        "code": "certifies-2026",
        "title_fr": "20 000 apprenants certifiés en 2026",
        "indicator": "certified",
        "kind": "count",
        "population_kinds": ["higher_education", "vocational"],
        "value": "20000",
        "year": 2026,
        "source": "Décision du comité de pilotage",
        "is_active": "on",
    }
    response = client.post(reverse("steering_denominators:target_new"), fields)
    assert response.status_code == 302
    target = Target.objects.get(code="certifies-2026")
    assert (target.version, target.population_kinds) == (1, ["higher_education", "vocational"])
    response = client.post(reverse("steering_denominators:target_new"), fields)
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Ce code est déjà pris."]
    response = client.post(
        reverse("steering_denominators:target_new"), {**fields, "code": "nouvelle"}
    )
    assert "Ce code est réservé" in response.context["form"].errors["code"][0]
    with pytest.raises(TargetError):
        create_target(steering, {**fields, "code": "vide", "population_kinds": []})
    assert Target.objects.count() == 1


def test_targets_are_for_steering_and_administrators_only(client, seeded, org_admin):
    urls = [
        reverse("steering_denominators:targets"),
        reverse("steering_denominators:target_new"),
        reverse("steering_denominators:target", args=[CODE]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(org_admin)
    for url in urls:
        assert client.get(url).status_code == 403
    assert client.post(urls[2], {"value": "1"}).status_code == 403
    client.force_login(make_user(roles=(Role.ADMINISTRATOR,)))
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get(reverse("steering_denominators:target", args=["inconnue"])).status_code == 404
    assert Target.objects.filter(code=CODE).count() == 1
