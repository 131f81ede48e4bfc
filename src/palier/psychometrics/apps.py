from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PsychometricsConfig(AppConfig):
    name = "palier.psychometrics"
    label = "psychometrics"
    verbose_name = _("Psychométrie")

    def ready(self) -> None:
        from palier.psychometrics import personal_data

        personal_data.register()
