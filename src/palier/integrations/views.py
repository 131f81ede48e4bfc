"""The integrations' status page of the management site (/gestion/integrations/)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from palier.accounts.admin_site import admin_site
from palier.integrations.status import statuses


def status_view(request: HttpRequest) -> TemplateResponse:
    """Every integration: configured or not, its last success and its last error."""
    context = {
        **admin_site.each_context(request),
        "title": _("Intégrations : état"),
        "statuses": statuses(),
    }
    return TemplateResponse(request, "integrations/status.html", context)


# Behind the management site's gate: administrators only, others 403, visitors to login.
status_page = admin_site.admin_view(status_view)
