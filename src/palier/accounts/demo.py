"""Demo accounts for `palier seed --demo` (development and demos only); the demo
organisation and its staff are the organisations app's (organisations.demo)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from palier.accounts.choices import LearnerStatus, Region
from palier.accounts.models import LearnerProfile, User
from palier.accounts.roles import Role
from palier.accounts.services import grant_role
from palier.frameworks.models import Population

DEMO_PASSWORD = "demo-palier-2026"  # noqa: S105 - published on purpose: demo data only
DEMO_DOMAIN = "demo.palier.example"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount(f"apprenant@{DEMO_DOMAIN}", "Camille", "Martin", ()),
    DemoAccount(f"auteur@{DEMO_DOMAIN}", "Inès", "Moreau", (Role.AUTHOR,)),
    DemoAccount(f"psychometrie@{DEMO_DOMAIN}", "Hugo", "Bernard", (Role.PSYCHOMETRICIAN,)),
    DemoAccount(f"surveillance@{DEMO_DOMAIN}", "Léa", "Petit", (Role.INVIGILATOR,)),
    DemoAccount(f"pilotage@{DEMO_DOMAIN}", "Karim", "Durand", (Role.STEERING,)),
    DemoAccount(f"admin@{DEMO_DOMAIN}", "Nora", "Lefebvre", (Role.ADMINISTRATOR,)),
    DemoAccount(f"formation@{DEMO_DOMAIN}", "Julien", "Roux", ()),
)


@dataclass(frozen=True)
class DemoResult:
    email: str
    roles: tuple[str, ...]
    created: bool


@transaction.atomic
def load_demo_accounts() -> list[DemoResult]:
    """Create the demo accounts once; later runs reuse them and keep their passwords."""
    nursing = Population.objects.filter(code="soins-infirmiers").first()
    results = []
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(email=account.email).first()
        created = user is None
        if user is None:
            user = User.objects.create_user(
                email=account.email,
                password=DEMO_PASSWORD,
                first_name=account.first_name,
                last_name=account.last_name,
                email_confirmed_at=timezone.now(),
                is_staff=Role.ADMINISTRATOR in account.roles,
                is_superuser=Role.ADMINISTRATOR in account.roles,
            )
            LearnerProfile.objects.create(
                user=user,
                population=nursing,
                status=LearnerStatus.STUDENT,
                year_of_study=2,
                region=Region.ILE_DE_FRANCE,
            )
        for role in account.roles:
            grant_role(user, role)
        results.append(DemoResult(account.email, (Role.LEARNER.value, *account.roles), created))
    return results
