"""Values every page template needs: the theme's base template, the site's name, and the
signed-in user's platform roles (for the navigation)."""

from django.conf import settings
from django.http import HttpRequest

from palier.accounts.roles import user_roles


def palier(request: HttpRequest) -> dict[str, object]:
    theme = settings.PALIER_THEME
    user = getattr(request, "user", None)
    return {
        "palier_theme": theme,
        "theme_base": f"themes/{theme}/base.html",
        "site_name": "Palier",
        "roles": user_roles(user) if user is not None else frozenset(),
    }
