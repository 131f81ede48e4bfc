"""The training catalogue (modules, sessions, self-study resources) and learning plans."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from palier.accounts.choices import Region
from palier.core.i18n import BilingualTitleMixin, localized
from palier.training.funding import (
    FundingRoute,
    module_routes,
    offers_route,
    validate_declared_routes,
)

http_url = URLValidator(schemes=["http", "https"])
MIN_HOURS = 0.25
MAX_HOURS = 500
# The ANDPC numbers each registered DPC action; we check only that it is made of digits
# (1 to 20): the exact length is the agency's to change.
dpc_action_number_validator = RegexValidator(
    r"^[0-9]{1,20}$", _("Un numéro d'action DPC ne contient que des chiffres (20 au plus).")
)


class Module(BilingualTitleMixin, models.Model):
    class Format(models.TextChoices):
        ELEARNING = "elearning", _("E-learning")
        FACE_TO_FACE = "face_to_face", _("Présentiel")
        BLENDED = "blended", _("Mixte")
        WEBINAR = "webinar", _("Classe virtuelle")
        SIMULATION = "simulation", _("Simulation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("En modération")
        PUBLISHED = "published", _("Publié")
        REJECTED = "rejected", _("Refusé")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    provider = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisme"),
        on_delete=models.PROTECT,
        related_name="modules",
    )
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    summary_fr = models.TextField(_("résumé (français)"), max_length=2000)
    summary_en = models.TextField(_("résumé (anglais)"), max_length=2000, blank=True)
    format = models.CharField(_("format"), max_length=16, choices=Format.choices)
    hours = models.DecimalField(
        _("durée (heures)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(MIN_HOURS), MaxValueValidator(MAX_HOURS)],
    )
    language = models.CharField(
        _("langue"), max_length=2, choices=[("fr", "Français"), ("en", "English")]
    )
    price_cents = models.PositiveIntegerField(_("prix (centimes d'euro, 0 = gratuit)"), default=0)
    # Space-separated FundingRoute codes (DPC, ANFH, OPCO, FIF-PL, CPF, employer plan);
    # "free" is not stored, it follows the price (training/funding.py).
    funding_routes = models.CharField(
        _("financements possibles"),
        max_length=80,
        blank=True,
        default="",
        validators=[validate_declared_routes],
    )
    dpc_action_number = models.CharField(
        _("numéro d'action DPC"),
        max_length=20,
        blank=True,
        default="",
        validators=[dpc_action_number_validator],
    )
    populations = models.ManyToManyField(
        "frameworks.Population", blank=True, verbose_name=_("publics (vide : tous)")
    )
    # Space-separated LearnerStatus values; empty means every status. (A plain text field
    # filters the same way on SQLite and PostgreSQL; the codes never contain each other.)
    statuses = models.CharField(_("situations visées (vide : toutes)"), max_length=80, blank=True)
    capacities = models.ManyToManyField(
        "frameworks.Capacity", related_name="modules", verbose_name=_("capacités travaillées")
    )
    target_level = models.PositiveSmallIntegerField(
        _("niveau visé"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    enrol_url = models.URLField(_("lien d'inscription"), validators=[http_url])
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("module de formation")
        verbose_name_plural = _("modules de formation")
        ordering = ["title_fr"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="module_hours_positive"),
            models.CheckConstraint(
                condition=Q(dpc_action_number="")
                | Q(funding_routes__contains=FundingRoute.DPC.value),
                name="dpc_action_number_only_with_dpc",
            ),
        ]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    @property
    def is_free(self) -> bool:
        return self.price_cents == 0

    @property
    def price_euros(self) -> float:
        return self.price_cents / 100

    @property
    def route_codes(self) -> list[str]:
        """The funding routes of the module, "free" included when it costs nothing."""
        return module_routes(self)

    @property
    def cpd_eligible(self) -> bool:
        """Whether the module is a registered DPC action (one of its funding routes)."""
        return offers_route(self, FundingRoute.DPC)


# Formats taught in a room: their sessions need a place and a region, and a learner follows
# them only where a session takes place (e-learning and virtual classes are followed from
# anywhere).
IN_PERSON_FORMATS = frozenset(
    {Module.Format.FACE_TO_FACE, Module.Format.BLENDED, Module.Format.SIMULATION}
)


class ModuleSession(models.Model):
    module = models.ForeignKey(
        Module, verbose_name=_("module"), on_delete=models.CASCADE, related_name="sessions"
    )
    start = models.DateField(_("début"))
    end = models.DateField(_("fin"))
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    region = models.CharField(_("région"), max_length=8, choices=Region.choices, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="session_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module.code} {self.start}"


class Resource(BilingualTitleMixin, models.Model):
    """A free self-study resource (a short tutorial written for Palier) on capacities."""

    class Kind(models.TextChoices):
        TUTORIAL = "tutorial", _("Tutoriel")
        CHECKLIST = "checklist", _("Liste de vérification")
        CASE = "case", _("Cas pratique")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    competence = models.ForeignKey(
        "frameworks.Competence",
        verbose_name=_("compétence"),
        on_delete=models.PROTECT,
        related_name="resources",
    )
    capacities = models.ManyToManyField(
        "frameworks.Capacity", related_name="resources", verbose_name=_("capacités")
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(
        _("niveau"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    minutes = models.PositiveSmallIntegerField(_("durée de lecture (minutes)"))
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    summary_fr = models.TextField(_("résumé (français)"), max_length=1000)
    summary_en = models.TextField(_("résumé (anglais)"), max_length=1000, blank=True)
    body_fr = models.TextField(_("contenu (français)"))
    body_en = models.TextField(_("contenu (anglais)"), blank=True)
    source_name = models.CharField(_("source"), max_length=120, blank=True)
    source_url = models.URLField(_("lien vers la source"), blank=True, validators=[http_url])
    rule_reference = models.CharField(_("texte de référence"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("ressource d'autoformation")
        verbose_name_plural = _("ressources d'autoformation")
        ordering = ["competence", "level", "code"]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def summary(self) -> str:
        return localized(self, "summary")

    @property
    def body(self) -> str:
        return localized(self, "body")


class PlanEntry(models.Model):
    """A module or resource in a learner's training plan, with its progress."""

    class Progress(models.TextChoices):
        PLANNED = "planned", _("Prévu")
        STARTED = "started", _("Commencé")
        COMPLETED = "completed", pgettext_lazy("plan progress", "Terminé")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("apprenant"),
        on_delete=models.CASCADE,
        related_name="plan_entries",
    )
    module = models.ForeignKey(
        Module,
        verbose_name=_("module"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan_entries",
    )
    resource = models.ForeignKey(
        Resource,
        verbose_name=_("ressource"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="plan_entries",
    )
    progress = models.CharField(
        _("avancement"), max_length=16, choices=Progress.choices, default=Progress.PLANNED
    )
    confirmed_by_provider = models.BooleanField(_("confirmé par l'organisme"), default=False)
    # Set when the learner asks the module's provider to confirm a completion: until then the
    # provider sees nothing of the entry (privacy by default).
    confirmation_requested_at = models.DateTimeField(
        _("confirmation demandée le"), null=True, blank=True
    )
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    completed_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("élément du plan de formation")
        verbose_name_plural = _("plans de formation")
        ordering = ["added_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(module__isnull=False) & Q(resource__isnull=True))
                | (Q(module__isnull=True) & Q(resource__isnull=False)),
                name="plan_entry_is_module_or_resource",
            ),
            models.CheckConstraint(
                condition=Q(confirmation_requested_at__isnull=True)
                | (Q(progress="completed") & Q(module__isnull=False)),
                name="confirmation_requested_on_completed_module",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by_provider=False)
                | Q(confirmation_requested_at__isnull=False),
                name="confirmed_only_on_request",
            ),
            models.UniqueConstraint(fields=["user", "module"], name="module_once_per_plan"),
            models.UniqueConstraint(fields=["user", "resource"], name="resource_once_per_plan"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.module_id or self.resource_id}"
