"""The site's URLs with the denominator and target pages included, as the root URLconf
of their tests (`pytest.mark.urls`) until the site's urls.py includes them itself."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from palier.urls import urlpatterns as site_patterns

urlpatterns = [
    *site_patterns,
    *i18n_patterns(
        path("", include("palier.steering.denominator_urls")), prefix_default_language=False
    ),
]
