"""Values every page template needs: the theme's base template and the site's name."""

from django.conf import settings
from django.http import HttpRequest


def palier(request: HttpRequest) -> dict[str, object]:
    theme = settings.PALIER_THEME
    return {
        "palier_theme": theme,
        "theme_base": f"themes/{theme}/base.html",
        "site_name": "Palier",
    }
