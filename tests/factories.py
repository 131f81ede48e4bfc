"""Small factories for tests: real rows through the real services where it matters."""

from __future__ import annotations

from itertools import count

from django.utils import timezone

from palier.accounts.models import LearnerProfile, User
from palier.accounts.services import grant_role
from palier.organisations.choices import MembershipRole, OrganisationType
from palier.organisations.models import Organisation
from palier.organisations.services import add_member

PASSWORD = "correct horse battery staple"
_sequence = count(1)


def make_user(
    email: str | None = None,
    *,
    roles: tuple[str, ...] = (),
    confirmed: bool = True,
    password: str = PASSWORD,
    **fields: object,
) -> User:
    user = User.objects.create_user(
        email=email or f"person{next(_sequence)}@example.org",
        password=password,
        email_confirmed_at=timezone.now() if confirmed else None,
        **fields,
    )
    LearnerProfile.objects.create(user=user)
    for role in roles:
        grant_role(user, role)
    return user


def make_organisation(name: str = "IFSI du Parc", **fields: object) -> Organisation:
    number = next(_sequence)
    return Organisation.objects.create(
        name=name,
        slug=fields.pop("slug", f"org-{number}"),
        type=fields.pop("type", OrganisationType.HEALTH_TRAINING_INSTITUTE),
        **fields,
    )


def make_member(
    organisation: Organisation, role: str = MembershipRole.MEMBER, **user_fields: object
) -> User:
    user = make_user(**user_fields)
    add_member(organisation, user, role)
    return user
