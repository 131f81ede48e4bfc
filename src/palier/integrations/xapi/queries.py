"""Reads of the xAPI integration: its line on the integrations' status page."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from palier.integrations.status import IntegrationStatus
from palier.integrations.xapi import client
from palier.integrations.xapi.models import LrsLink


def integration_status() -> list[IntegrationStatus]:
    link = LrsLink.objects.filter(pk=1).first()
    return [
        IntegrationStatus(
            name=_("Traces d'apprentissage (xAPI)"),
            configured=client.configured(),
            last_success=link.last_success_at if link else None,
            last_error=link.last_error_at if link else None,
            last_error_message=link.last_error if link else "",
            manage_url=reverse("admin:integrations_xapi_statement_changelist"),
        )
    ]
