"""Root URLs: pages are translated (French at /, English under /en/); the API is not."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from django.views.i18n import set_language

from palier.accounts.admin_site import admin_site
from palier.api import api
from palier.core.errors import api_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("i18n/setlang/", set_language, name="set_language"),
]
urlpatterns += i18n_patterns(
    path("", include("palier.core.urls")),
    path("compte/", include("palier.accounts.urls")),
    path("referentiel/", include("palier.frameworks.urls")),
    path("gestion/", admin_site.urls),
    prefix_default_language=False,
)
