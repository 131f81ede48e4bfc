from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "palier.training"
    label = "training"
    verbose_name = _("Formations")

    def ready(self) -> None:
        # The result page of the test shows the learning plan; assessments sits below
        # training and must not import it, so training plugs its section in.
        from palier.assessments.signals import add_result_section
        from palier.training import personal_data
        from palier.training.recommend import result_plan_context

        personal_data.register()
        add_result_section("training-plan", "training/_result_plan.html", result_plan_context)
