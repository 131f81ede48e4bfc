from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SteeringConfig(AppConfig):
    name = "palier.steering"
    label = "steering"
    verbose_name = _("Pilotage national")

    def ready(self) -> None:
        from palier.steering import personal_data

        personal_data.register()
