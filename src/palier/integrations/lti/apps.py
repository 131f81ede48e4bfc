from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LtiConfig(AppConfig):
    name = "palier.integrations.lti"
    label = "integrations_lti"
    verbose_name = _("Plateformes LTI")

    def ready(self) -> None:
        from palier.integrations import status
        from palier.integrations.lti import personal_data, signals
        from palier.integrations.lti.queries import status_lines

        signals.connect()
        personal_data.register()
        status.register(status_lines)
