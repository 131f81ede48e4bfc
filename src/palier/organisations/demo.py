"""The demo organisation for `palier seed --demo` (development and demos only): a nursing
institute whose admin is one of the demo accounts (accounts.demo); and the removal of every
demo account and of the demo organisation (`palier remove_demo_accounts`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from palier.accounts.choices import Region
from palier.accounts.demo import DEMO_DOMAIN
from palier.accounts.models import User
from palier.organisations.choices import MembershipRole, OrganisationType
from palier.organisations.models import Organisation
from palier.organisations.services import add_member

DEMO_ORGANISATION_SLUG = "demo-ifsi-rive-gauche"
# Demo accounts on the organisation's staff, with their role.
DEMO_STAFF = {f"formation@{DEMO_DOMAIN}": MembershipRole.ADMIN}


@transaction.atomic
def load_demo_organisation() -> Organisation:
    """Create the demo organisation once and put the demo staff in it (after the demo
    accounts: an account not created yet is skipped)."""
    organisation, _ = Organisation.objects.get_or_create(
        slug=DEMO_ORGANISATION_SLUG,
        defaults={
            "name": "IFSI Rive Gauche (démonstration)",
            "type": OrganisationType.HEALTH_TRAINING_INSTITUTE,
            "region": Region.ILE_DE_FRANCE,
            "is_demo": True,
        },
    )
    for email, role in DEMO_STAFF.items():
        user = User.objects.filter(email=email).first()
        if user is not None:
            add_member(organisation, user, role)
    return organisation


@dataclass(frozen=True)
class DemoRemoval:
    accounts: int
    organisations: int


@transaction.atomic
def remove_demo_accounts() -> DemoRemoval:
    """Delete every account of the demo domain (the seeded ones and the generated campaign
    participants) with their data, and the demo organisation. Idempotent."""
    users = User.objects.filter(email__iendswith="@" + DEMO_DOMAIN)
    accounts = users.count()
    users.delete()
    organisations = Organisation.objects.filter(slug=DEMO_ORGANISATION_SLUG, is_demo=True)
    organisation_count = organisations.count()
    organisations.delete()
    return DemoRemoval(accounts=accounts, organisations=organisation_count)
