from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlatformConfig(AppConfig):
    """The top of the layers: what ties the feature apps together (the home page, `palier seed`
    and the demo data). It may import every app; no app imports it."""

    name = "palier.platform"
    label = "platform"
    verbose_name = _("Plateforme")
