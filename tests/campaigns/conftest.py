"""Campaign fixtures: campaigns built through the real service (the organisation, its admin
and member, and the outsider are the shared fixtures of tests/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from palier.campaigns.models import Campaign
from palier.campaigns.services import create_campaign
from palier.frameworks.models import Population
from palier.frameworks.queries import current_framework


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
