from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "palier.campaigns"
    label = "campaigns"
    verbose_name = _("Campagnes")

    def ready(self) -> None:
        from palier.campaigns import personal_data, signals  # noqa: F401  (connects the receivers)

        personal_data.register()
