"""Campaign fixtures: an organisation with an admin and a member, an outsider organisation,
and campaigns built through the real service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from palier.campaigns.models import Campaign
from palier.campaigns.services import create_campaign
from palier.frameworks.models import Population
from palier.frameworks.queries import current_framework
from palier.organisations.choices import MembershipRole
from tests.factories import make_member, make_organisation


@pytest.fixture
def org(framework):
    return make_organisation("IFSI des Tilleuls", slug="ifsi-tilleuls")


@pytest.fixture
def org_admin(org):
    return make_member(org, MembershipRole.ADMIN, email="admin@tilleuls.example")


@pytest.fixture
def org_member(org):
    return make_member(org, MembershipRole.MEMBER, email="member@tilleuls.example")


@pytest.fixture
def outsider(framework):
    """The admin of another organisation."""
    other = make_organisation("Université Voisine", slug="univ-voisine")
    return make_member(other, MembershipRole.ADMIN, email="admin@voisine.example")


def campaign_fields(**overrides):
    today = timezone.localdate()
    fields = {
        "framework": current_framework(),
        "name": "Promotion 2026 — positionnement",
        "purpose": "Situer la promotion de première année en début de formation.",
        "kind": Campaign.Kind.ASSESSMENT,
        "areas": ["D1", "D2", "D3", "D4", "D5"],
        "target_population": Population.objects.get(code="soins-infirmiers"),
        "opens_on": today - timedelta(days=7),
        "closes_on": today + timedelta(days=30),
        "external_id_label": "",
        "sharing": Campaign.Sharing.CONSENT,
    }
    fields.update(overrides)
    return fields


@pytest.fixture
def make_campaign(org, org_admin):
    def make(organisation=None, **overrides):
        return create_campaign(organisation or org, org_admin, campaign_fields(**overrides))

    return make


@pytest.fixture
def campaign(make_campaign):
    return make_campaign()
