from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CertificationConfig(AppConfig):
    name = "palier.certification"
    verbose_name = _("Certification")

    def ready(self) -> None:
        # `keys` registers the checks of the credential signing keys.
        from palier.certification import keys, personal_data  # noqa: F401

        personal_data.register()
