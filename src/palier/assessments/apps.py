from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "palier.assessments"
    label = "assessments"
    verbose_name = _("Évaluations")

    def ready(self) -> None:
        from palier.assessments import personal_data

        personal_data.register()
