from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class XapiConfig(AppConfig):
    name = "palier.integrations.xapi"
    label = "integrations_xapi"
    verbose_name = _("Traces d'apprentissage (xAPI)")

    def ready(self) -> None:
        # The services below integrations send plain signals; this app listens to them.
        from palier.integrations import status
        from palier.integrations.xapi import personal_data, receivers
        from palier.integrations.xapi.queries import integration_status

        receivers.connect()
        personal_data.register()
        status.register(integration_status)
