"""Closed lists used by accounts: learner status, French regions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LearnerStatus(models.TextChoices):
    STUDENT = "student", _("En formation (étudiant ou élève)")
    SELF_EMPLOYED = "self_employed", _("En exercice — libéral")
    PUBLIC_SECTOR = "public_sector", _("En exercice — salarié du secteur public")
    PRIVATE_SECTOR = "private_sector", _("En exercice — salarié du secteur privé")


class Region(models.TextChoices):
    """The 18 regions (INSEE codes), the overseas collectivities, and abroad."""

    AUVERGNE_RHONE_ALPES = "84", "Auvergne-Rhône-Alpes"
    BOURGOGNE_FRANCHE_COMTE = "27", "Bourgogne-Franche-Comté"
    BRETAGNE = "53", "Bretagne"
    CENTRE_VAL_DE_LOIRE = "24", "Centre-Val de Loire"
    CORSE = "94", "Corse"
    GRAND_EST = "44", "Grand Est"
    HAUTS_DE_FRANCE = "32", "Hauts-de-France"
    ILE_DE_FRANCE = "11", "Île-de-France"
    NORMANDIE = "28", "Normandie"
    NOUVELLE_AQUITAINE = "75", "Nouvelle-Aquitaine"
    OCCITANIE = "76", "Occitanie"
    PAYS_DE_LA_LOIRE = "52", "Pays de la Loire"
    PROVENCE_ALPES_COTE_D_AZUR = "93", "Provence-Alpes-Côte d'Azur"
    GUADELOUPE = "01", "Guadeloupe"
    MARTINIQUE = "02", "Martinique"
    GUYANE = "03", "Guyane"
    LA_REUNION = "04", "La Réunion"
    MAYOTTE = "06", "Mayotte"
    OVERSEAS_COLLECTIVITIES = "com", _("Collectivités d'outre-mer")
    ABROAD = "abroad", _("Hors de France")


# Years of study run from 1 to 6 (first year to the end of a long curriculum).
MAX_YEAR_OF_STUDY = 6
