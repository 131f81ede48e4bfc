"""Closed lists used by organisations: organisation types, membership roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationType(models.TextChoices):
    UNIVERSITY = "university", _("Université")
    HEALTH_TRAINING_INSTITUTE = "health_institute", _("Institut de formation en santé")
    VOCATIONAL_INSTITUTE = (
        "secondary_institute",
        _("Institut de formation d'aides-soignants ou d'auxiliaires de puériculture (IFAS, IFAP)"),
    )
    CONTINUING_EDUCATION = "continuing_education", _("Organisme de formation continue")
    HEALTH_OR_SOCIAL_STRUCTURE = "care_structure", _("Structure sanitaire ou médico-sociale")
    OTHER = "other", _("Autre")


class MembershipRole(models.TextChoices):
    ADMIN = "admin", _("Administrateur de l'organisation")
    MEMBER = "member", _("Membre")
