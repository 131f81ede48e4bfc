from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OidcConfig(AppConfig):
    default = True
    name = "palier.integrations.oidc"
    label = "integrations_oidc"
    verbose_name = _("Connexion OpenID Connect")

    def ready(self) -> None:
        from palier.integrations import status
        from palier.integrations.oidc import checks, personal_data  # noqa: F401
        from palier.integrations.oidc.queries import provider_statuses

        status.register(provider_statuses)
        personal_data.register()
