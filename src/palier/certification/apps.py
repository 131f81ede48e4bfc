from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "palier.certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        from palier.certification import personal_data

        personal_data.register()
