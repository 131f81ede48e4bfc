"""The one organisation gate, the admin test of a membership, and the app's place in the
layers (accounts below it, never importing it)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

import palier
from palier.organisations.access import access_organisation
from palier.organisations.choices import MembershipRole
from palier.organisations.models import Membership

pytestmark = pytest.mark.django_db


def test_a_member_gets_the_organisation_and_their_membership(org, org_member):
    organisation, membership = access_organisation(org_member, org.slug)
    assert organisation == org
    assert (membership.user, membership.is_admin) == (org_member, False)


def test_an_admin_passes_the_admin_gate(org, org_admin):
    organisation, membership = access_organisation(org_admin, org.slug, admin_required=True)
    assert organisation == org and membership.is_admin


def test_a_member_is_refused_what_only_admins_may_do(org, org_member):
    with pytest.raises(PermissionDenied):
        access_organisation(org_member, org.slug, admin_required=True)


@pytest.mark.parametrize("admin_required", [False, True])
def test_outsiders_and_visitors_get_404_whether_the_organisation_exists_or_not(
    org, outsider, admin_required
):
    for user, slug in [
        (outsider, org.slug),
        (outsider, "no-such-organisation"),
        (AnonymousUser(), org.slug),
    ]:
        with pytest.raises(Http404):
            access_organisation(user, slug, admin_required=admin_required)


def test_is_admin_follows_the_role():
    assert Membership(role=MembershipRole.ADMIN).is_admin
    assert not Membership(role=MembershipRole.MEMBER).is_admin


APPS_ABOVE_ACCOUNTS = (
    "organisations",
    "items",
    "assessments",
    "training",
    "campaigns",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    ("app", "forbidden"),
    [
        ("accounts", APPS_ABOVE_ACCOUNTS),
        ("organisations", APPS_ABOVE_ACCOUNTS[1:]),
    ],
)
def test_an_app_imports_no_app_above_it(app, forbidden):
    package = Path(palier.__file__).parent / app
    offending = {
        f"{path.relative_to(package)}: {module}"
        for path in package.rglob("*.py")
        for module in imported_modules(path)
        if module.split(".")[:2] in (["palier", name] for name in forbidden)
    }
    assert offending == set()
