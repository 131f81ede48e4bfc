"""Deploy checks: the national login's JSON settings parse."""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from palier.integrations.oidc.config import national_provider


@checks.register(checks.Tags.security)
def check_national_login(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        national_provider()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="palier.oidc.E001")]
    return []
