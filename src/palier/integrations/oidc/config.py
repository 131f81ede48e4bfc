"""Which OpenID providers Palier signs in with: the national login from settings, and the
organisations' providers from the database. One `Provider` shape for both, so one client
serves them all."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from palier.accounts.choices import LearnerStatus
from palier.integrations.oidc.claims import (
    DEFAULT_PRACTICE_MODE_STATUSES,
    DEFAULT_PROFESSION_POPULATIONS,
    NATIONAL_CLAIM_PATHS,
    STANDARD_CLAIM_PATHS,
)
from palier.integrations.oidc.models import NATIONAL_KEY, OrganisationProvider


@dataclass(frozen=True)
class Provider:
    """One OpenID provider as the client sees it."""

    key: str
    name: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False, default="")
    scopes: tuple[str, ...] = ("openid",)
    acr_values: str = ""
    claim_paths: dict[str, str] = field(default_factory=dict)
    profession_populations: dict[str, str] = field(default_factory=dict)
    practice_mode_statuses: dict[str, str] = field(default_factory=dict)
    default_population: str = ""
    default_status: str = ""


def _json_object(name: str, raw: str, default: dict[str, str]) -> dict[str, str]:
    if not raw:
        return dict(default)
    try:
        value: Any = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JSON object.") from None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ImproperlyConfigured(f"{name} must be a JSON object of strings.")
    return value


def national_provider() -> Provider | None:
    """The national professional login, or None when the settings do not configure it."""
    if not (settings.PALIER_OIDC_ISSUER and settings.PALIER_OIDC_CLIENT_ID):
        return None
    paths = {
        **NATIONAL_CLAIM_PATHS,
        **_json_object("PALIER_OIDC_CLAIMS", settings.PALIER_OIDC_CLAIMS, {}),
    }
    return Provider(
        key=NATIONAL_KEY,
        name=settings.PALIER_OIDC_NAME,
        issuer=settings.PALIER_OIDC_ISSUER,
        client_id=settings.PALIER_OIDC_CLIENT_ID,
        client_secret=settings.PALIER_OIDC_CLIENT_SECRET,
        scopes=tuple(settings.PALIER_OIDC_SCOPES),
        acr_values=settings.PALIER_OIDC_ACR_VALUES,
        claim_paths=paths,
        profession_populations=_json_object(
            "PALIER_OIDC_PROFESSION_POPULATIONS",
            settings.PALIER_OIDC_PROFESSION_POPULATIONS,
            DEFAULT_PROFESSION_POPULATIONS,
        ),
        practice_mode_statuses=_json_object(
            "PALIER_OIDC_PRACTICE_MODE_STATUSES",
            settings.PALIER_OIDC_PRACTICE_MODE_STATUSES,
            DEFAULT_PRACTICE_MODE_STATUSES,
        ),
    )


def organisation_provider(row: OrganisationProvider) -> Provider:
    """An organisation's provider: standard claims, its students' population, student status."""
    secret = os.environ.get(row.client_secret_env, "") if row.client_secret_env else ""
    return Provider(
        key=row.key,
        name=row.name,
        issuer=row.issuer.rstrip("/"),
        client_id=row.client_id,
        client_secret=secret,
        scopes=tuple(row.scopes.split()) or ("openid",),
        claim_paths=dict(STANDARD_CLAIM_PATHS),
        default_population=row.population.code if row.population_id else "",
        default_status=LearnerStatus.STUDENT.value,
    )


def provider_by_key(key: str) -> Provider | None:
    """The enabled provider with this key, or None."""
    if key == NATIONAL_KEY:
        return national_provider()
    if not key.startswith("sso-"):
        return None
    row = (
        OrganisationProvider.objects.select_related("population")
        .filter(slug=key.removeprefix("sso-"), enabled=True)
        .first()
    )
    return organisation_provider(row) if row is not None else None


def login_page_providers() -> list[tuple[str, str]]:
    """(key, name) of the providers whose button shows on the login page, national first."""
    buttons = []
    national = national_provider()
    if national is not None:
        buttons.append((national.key, national.name))
    rows = OrganisationProvider.objects.filter(enabled=True, show_on_login_page=True)
    buttons.extend((row.key, row.name) for row in rows.only("slug", "name"))
    return buttons
