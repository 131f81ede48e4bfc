from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ItemsConfig(AppConfig):
    name = "palier.items"
    label = "items"
    verbose_name = _("Banque d'items")

    def ready(self) -> None:
        from palier.items import personal_data

        personal_data.register()
