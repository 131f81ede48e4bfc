"""The login page's "sign in with ..." buttons, shown only for configured providers."""

from __future__ import annotations

from typing import Any

from django import template

from palier.integrations.oidc.config import login_page_providers

register = template.Library()


@register.inclusion_tag("integrations/oidc/_login_buttons.html", takes_context=True)
def oidc_login_buttons(context: template.Context) -> dict[str, Any]:
    return {
        "providers": login_page_providers(),
        "next": context.get("next", ""),
        "palier_theme": context.get("palier_theme", ""),
    }
