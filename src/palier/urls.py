"""Root URLs: pages are translated (French at /, English under /en/); the API is not.

Pages need a signed-in user unless their view is marked @login_not_required
(LoginRequiredMiddleware). The API authenticates per operation and answers 401 in JSON,
so its views are exempt from the login redirect.
"""

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path, re_path
from django.views.i18n import set_language

from palier.accounts.admin_site import admin_site
from palier.api import api
from palier.campaigns import staff_urls as campaign_staff_urls
from palier.certification import staff_urls as certification_staff_urls
from palier.core.errors import api_not_found
from palier.integrations.views import status_page as integrations_status_page
from palier.items.authoring_site import authoring_site
from palier.organisations import urls as organisation_urls


def api_urls() -> tuple[list[URLPattern], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback.login_required = False  # type: ignore[union-attr]
    return patterns, app_name, namespace


def management_urls() -> tuple[list, str, str]:
    """The management site, with the integrations' status page in its namespace."""
    patterns, app_name, namespace = admin_site.urls
    status = path("integrations/", integrations_status_page, name="integrations_status")
    return [status, *patterns], app_name, namespace


# One `organisations` namespace for an organisation's pages, whichever app serves them:
# the organisations app (the user's organisations, home, team, tokens) and the campaigns
# staff pages under /organisations/<slug>/.
ORGANISATION_PAGES = (
    [
        *organisation_urls.urlpatterns,
        path("organisations/", include(campaign_staff_urls.urlpatterns)),
    ],
    "organisations",
)

urlpatterns = [
    path("api/v1/", api_urls()),
    re_path(r"^api/(?P<path>.*)$", api_not_found),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Verifiable credentials: signed addresses and /.well-known/ take no language prefix.
    path("", include("palier.certification.credential_urls")),
]
if settings.DEBUG:
    # Development only: uploaded images; in production the web server serves MEDIA_ROOT.
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
urlpatterns += i18n_patterns(
    path("", include("palier.platform.urls")),
    path("", include("palier.core.urls")),
    path("compte/", include("palier.accounts.urls")),
    path("compte/connexion-externe/", include("palier.integrations.oidc.urls")),
    path("referentiel/", include("palier.frameworks.urls")),
    path("positionnement/", include("palier.assessments.urls")),
    path("formations/", include("palier.training.urls")),
    path("campagnes/", include("palier.campaigns.urls")),
    path("certification/surveillance/", include("palier.certification.supervision_urls")),
    path("certification/", include("palier.certification.urls")),
    path("psychometrie/seuils/", include("palier.psychometrics.standard_setting_urls")),
    path("psychometrie/", include("palier.psychometrics.urls")),
    path("verifier/", include("palier.certification.verification_urls")),
    path("pilotage/programmes/", include("palier.steering.award_urls")),
    path("pilotage/", include("palier.steering.urls")),
    path("", include("palier.steering.denominator_urls")),
    path("", include("palier.steering.feedback_urls")),
    path("", include(ORGANISATION_PAGES)),
    path(
        "organisations/<slug:slug>/certification/",
        include((certification_staff_urls.urlpatterns, "certification_staff")),
    ),
    path("lti/", include("palier.integrations.lti.urls")),
    path("gestion/", management_urls()),
    path("auteur/", authoring_site.urls),
    prefix_default_language=False,
)
