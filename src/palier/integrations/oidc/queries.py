"""Reads for the administrators' integration status page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from palier.integrations.oidc.config import national_provider
from palier.integrations.oidc.models import NATIONAL_KEY, OrganisationProvider, ProviderHealth
from palier.integrations.status import IntegrationStatus


def provider_statuses() -> list[IntegrationStatus]:
    """One line for the national login, one per organisation provider."""
    health = {row.provider_key: row for row in ProviderHealth.objects.all()}
    national = national_provider()
    lines = [
        _status(
            _("Connexion nationale : %(name)s") % {"name": national.name}
            if national
            else _("Connexion nationale des professionnels (OpenID Connect)"),
            national is not None,
            health.get(NATIONAL_KEY),
            "",
        )
    ]
    for row in OrganisationProvider.objects.select_related("organisation"):
        lines.append(
            _status(
                _("Connexion d'établissement : %(name)s") % {"name": row.name},
                row.enabled,
                health.get(row.key),
                reverse("admin:integrations_oidc_organisationprovider_change", args=[row.pk]),
            )
        )
    return lines


def _status(
    name: str, configured: bool, health: ProviderHealth | None, manage_url: str
) -> IntegrationStatus:
    return IntegrationStatus(
        name=name,
        configured=configured,
        last_success=health.last_success_at if health else None,
        last_error=health.last_error_at if health else None,
        last_error_message=health.last_error_message if health else "",
        manage_url=manage_url,
    )
