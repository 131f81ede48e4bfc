"""Closed lists of the steering app: indicators, target kinds, feedback, proposals."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Indicator(models.TextChoices):
    """What steering counts; each is defined once in `steering/indicators.py` and in
    docs/steering.md."""

    REACHED = "reached", _("Apprenants touchés")
    ASSESSED = "assessed", _("Apprenants positionnés")
    CERTIFIED = "certified", _("Apprenants certifiés")
    TRAINED_HOURS = "trained_hours", _("Heures de formation suivies")


class TargetKind(models.TextChoices):
    SHARE = "share", _("Part des apprenants (en %)")
    COUNT = "count", _("Nombre d'apprenants par année")


class DenominatorSource(models.TextChoices):
    IMPORT = "import", _("Import CSV")
    FORM = "form", _("Déclaration")


class FeedbackSubject(models.TextChoices):
    RESULT = "result", _("Résultat du test de positionnement")
    CERTIFICATION = "certification", _("Certification")
    MODULE = "module", _("Module de formation terminé")


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Reçue")
    ACCEPTED = "accepted", _("Retenue")
    REJECTED = "rejected", _("Non retenue")
