"""The item bank: stimuli, items and their versions, review comments, calibrations, reports.

An item's content lives in `ItemVersion` rows, with the capacity and level it measures and
the stimulus version it shows. Once a version has been shown to a learner (`frozen_at`), it
never changes, nor does its stimulus version: editing makes new versions, and responses keep
pointing at the version they saw. Only `items.services` writes these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from palier.core.i18n import localized
from palier.items.formats import FORMATS
from palier.items.seed_schema import MAX_SECONDS, MIN_SECONDS, STIMULUS_KINDS

LEVEL_MIN, LEVEL_MAX = 1, 5


class ItemFrozenError(Exception):
    """A version that learners have seen was about to change."""


class Stimulus(models.Model):
    """A shared case several items refer to (an e-mail, a record extract, a thread...).

    Its texts live in `StimulusVersion` rows, versioned and frozen like item versions: an item
    version points to the stimulus version it shows, so editing a stimulus never changes what
    a learner already saw (see docs/adr/0012-frozen-stimuli-and-item-service.md).
    """

    code = models.CharField(_("code"), max_length=32, unique=True)
    kind = models.CharField(
        _("type"), max_length=32, choices=[(kind, kind) for kind in STIMULUS_KINDS]
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("mise en situation")
        verbose_name_plural = _("mises en situation")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    def latest_version(self) -> StimulusVersion | None:
        return self.versions.order_by("-number").first()


class StimulusVersion(models.Model):
    """The texts of a stimulus at one point in time; frozen once an item version that shows
    it has been seen by a learner."""

    stimulus = models.ForeignKey(
        Stimulus,
        verbose_name=_("mise en situation"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveIntegerField(_("version"))
    title_fr = models.CharField(_("titre (français)"), max_length=300)
    title_en = models.CharField(_("titre (anglais)"), max_length=300, blank=True)
    content_fr = models.TextField(_("contenu (français)"))
    content_en = models.TextField(_("contenu (anglais)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("montré pour la première fois le"), null=True, blank=True)

    class Meta:
        verbose_name = _("version de mise en situation")
        verbose_name_plural = _("versions de mises en situation")
        ordering = ["stimulus", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stimulus", "number"], name="unique_stimulus_version"),
        ]

    def __str__(self) -> str:
        return f"{self.stimulus.code} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and StimulusVersion.objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise ItemFrozenError(str(self))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def code(self) -> str:
        return self.stimulus.code

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def content(self) -> str:
        return localized(self, "content")


class Media(models.Model):
    """An image uploaded for items, with its mandatory text alternative."""

    file = models.ImageField(
        _("image"), upload_to="items/%Y/", width_field="width", height_field="height"
    )
    alt_fr = models.CharField(_("texte alternatif (français)"), max_length=300)
    alt_en = models.CharField(_("texte alternatif (anglais)"), max_length=300, blank=True)
    width = models.PositiveIntegerField(_("largeur (pixels)"), default=0)
    height = models.PositiveIntegerField(_("hauteur (pixels)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("images")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.alt_fr

    def snippet(self, language: str = "fr") -> str:
        """The HTML to paste into a stem or a stimulus."""
        from django.utils.html import format_html

        alt = self.alt_en if language == "en" and self.alt_en else self.alt_fr
        return format_html('<img src="{}" alt="{}">', self.file.url, alt)


class Item(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        REVIEW = "review", _("En relecture")
        PRETEST = "pretest", _("Prétest")
        OPERATIONAL = "operational", _("Opérationnel")
        RETIRED = "retired", _("Retiré")

    code = models.CharField(_("code"), max_length=32, unique=True)
    # The classification of the latest version, mirrored here by the services for lists,
    # filters and coverage; what a given version measured is on the version.
    capacity = models.ForeignKey(
        "frameworks.Capacity",
        verbose_name=_("capacité"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    intended_level = models.PositiveSmallIntegerField(
        _("niveau visé"), validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_items",
    )
    is_seed = models.BooleanField(_("banque de démarrage"), default=False)
    # Items testing the same fact share a group: an attempt never shows two of them.
    enemy_group = models.CharField(
        _("groupe d'exclusion"),
        max_length=40,
        blank=True,
        db_index=True,
        help_text=_("Items qui testent le même fait : jamais deux dans un même test."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(intended_level__gte=LEVEL_MIN, intended_level__lte=LEVEL_MAX),
                name="item_level_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def latest_version(self) -> ItemVersion | None:
        return self.versions.order_by("-number").first()


class ItemVersion(models.Model):
    class Format(models.TextChoices):
        SINGLE_CHOICE = "single_choice", _("Choix unique")
        MULTIPLE_RESPONSE = "multiple_response", _("Choix multiples")
        SHORT_TEXT = "short_text", _("Réponse courte")
        NUMERIC = "numeric", _("Valeur numérique")
        ORDERING = "ordering", _("Remise en ordre")
        MATCHING = "matching", _("Association")
        STIMULUS_CHOICE = "stimulus_choice", _("Repérage dans un document")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    format = models.CharField(_("format"), max_length=32, choices=Format.choices)
    stimulus = models.ForeignKey(
        Stimulus,
        verbose_name=_("mise en situation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_versions",
    )
    # The stimulus texts this version shows (a version of `stimulus`, set by the services).
    stimulus_version = models.ForeignKey(
        StimulusVersion,
        verbose_name=_("version de la mise en situation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="item_versions",
    )
    # What the version measures, frozen with it: scoring, competence signals and rescoring
    # read these, never the item's current classification.
    capacity = models.ForeignKey(
        "frameworks.Capacity",
        verbose_name=_("capacité"),
        on_delete=models.PROTECT,
        related_name="item_versions",
    )
    intended_level = models.PositiveSmallIntegerField(
        _("niveau visé"), validators=[MinValueValidator(LEVEL_MIN), MaxValueValidator(LEVEL_MAX)]
    )
    stem_fr = models.TextField(_("énoncé (français)"))
    stem_en = models.TextField(_("énoncé (anglais)"), blank=True)
    definition = models.JSONField(_("définition de la réponse"))
    feedback_fr = models.TextField(_("explication (français)"), blank=True)
    feedback_en = models.TextField(_("explication (anglais)"), blank=True)
    source = models.CharField(_("référence"), max_length=500, blank=True)
    estimated_seconds = models.PositiveIntegerField(
        _("durée estimée (secondes)"),
        default=60,
        validators=[MinValueValidator(MIN_SECONDS), MaxValueValidator(MAX_SECONDS)],
    )
    screen_reader_ok = models.BooleanField(_("utilisable avec un lecteur d'écran"), default=True)
    colour_independent = models.BooleanField(
        _("sans information portée par la couleur"), default=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    frozen_at = models.DateTimeField(_("montré pour la première fois le"), null=True, blank=True)

    class Meta:
        verbose_name = _("version d'item")
        verbose_name_plural = _("versions d'items")
        ordering = ["item", "number"]
        constraints = [
            models.UniqueConstraint(fields=["item", "number"], name="unique_item_version"),
            models.CheckConstraint(condition=Q(format__in=FORMATS), name="known_item_format"),
            models.CheckConstraint(
                condition=Q(intended_level__gte=LEVEL_MIN, intended_level__lte=LEVEL_MAX),
                name="item_version_level_in_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and ItemVersion.objects.filter(pk=self.pk, frozen_at__isnull=False).exists():
            raise ItemFrozenError(str(self))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def stem(self) -> str:
        return localized(self, "stem")

    @property
    def feedback(self) -> str:
        return localized(self, "feedback")

    @property
    def languages(self) -> list[str]:
        """French always; English when the stem, feedback and every option are translated."""
        return ["fr", "en"] if self.has_english() else ["fr"]

    def has_english(self) -> bool:
        if not self.stem_en.strip() or not self.feedback_en.strip():
            return False
        texts = [
            option.get("text", {})
            for key in ("options", "left", "right")
            for option in self.definition.get(key, [])
        ]
        return all(str(text.get("en", "")).strip() for text in texts)


class LevelReview(models.Model):
    """Someone checked a version's intended level against the written level definitions
    (docs/items.md). Append-only: a later review is a new row; the latest one counts."""

    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="level_reviews",
    )
    reviewed_by = models.CharField(_("vérifié par"), max_length=200)
    reviewed_on = models.DateField(_("vérifié le"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte du relecteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("vérification du niveau")
        verbose_name_plural = _("vérifications du niveau")
        ordering = ["version", "reviewed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "reviewed_by", "reviewed_on"], name="unique_level_review"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version}: {self.reviewed_by}, {self.reviewed_on}"


class ReviewComment(models.Model):
    class Kind(models.TextChoices):
        COMMENT = "comment", _("Commentaire")
        APPROVAL = "approval", _("Approbation")
        CHANGES = "changes", _("Demande de modifications")

    item = models.ForeignKey(
        Item, verbose_name=_("item"), on_delete=models.CASCADE, related_name="comments"
    )
    version = models.ForeignKey(
        ItemVersion, verbose_name=_("version"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("auteur"), on_delete=models.SET_NULL, null=True
    )
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices, default=Kind.COMMENT)
    body = models.TextField(_("commentaire"), max_length=5000)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("commentaire de relecture")
        verbose_name_plural = _("commentaires de relecture")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.kind}"


class Calibration(models.Model):
    """A named, dated, immutable set of item parameters for one framework version."""

    class Source(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisoire (d'après le niveau visé)")
        ESTIMATED = "estimated", _("Estimée sur des réponses")

    name = models.CharField(_("nom"), max_length=200)
    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("référentiel"),
        on_delete=models.PROTECT,
        related_name="calibrations",
    )
    source = models.CharField(_("origine"), max_length=16, choices=Source.choices)
    is_active = models.BooleanField(
        pgettext_lazy("état d'une calibration", "active"), default=False
    )
    synthetic = models.BooleanField(
        _("estimée sur des données simulées"),
        default=False,
        help_text=_(
            "Calibration d'un pilote simulé (démonstration) : ses paramètres ne viennent "
            "pas de réponses de personnes réelles."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("calibration")
        verbose_name_plural = _("calibrations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework"],
                condition=Q(is_active=True),
                name="one_active_calibration_per_framework",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_provisional(self) -> bool:
        return self.source == self.Source.PROVISIONAL


class ItemParameter(models.Model):
    calibration = models.ForeignKey(
        Calibration,
        verbose_name=_("calibration"),
        on_delete=models.CASCADE,
        related_name="parameters",
    )
    item_version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("version d'item"),
        on_delete=models.PROTECT,
        related_name="parameters",
    )
    discrimination = models.FloatField(
        _("discrimination (a)"), validators=[MinValueValidator(0.01)]
    )
    difficulty = models.FloatField(_("difficulté (b)"))
    guessing = models.FloatField(
        _("pseudo-chance (c)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.5)],
    )
    # Standard errors of an estimated calibration (none for provisional parameters).
    se_discrimination = models.FloatField(_("erreur type de a"), null=True, blank=True)
    se_difficulty = models.FloatField(_("erreur type de b"), null=True, blank=True)
    se_guessing = models.FloatField(_("erreur type de c"), null=True, blank=True)

    class Meta:
        verbose_name = _("paramètres d'item")
        verbose_name_plural = _("paramètres d'items")
        constraints = [
            models.UniqueConstraint(
                fields=["calibration", "item_version"], name="unique_parameter_per_calibration"
            ),
            models.CheckConstraint(
                condition=Q(discrimination__gt=0), name="positive_discrimination"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_version_id}: a={self.discrimination:.2f} b={self.difficulty:.2f}"


class CalibrationActivation(models.Model):
    """Audit of which calibration was made active, when, by whom and why.

    A roll-back is an activation of the calibration that was active before, with its reason."""

    class Action(models.TextChoices):
        ACTIVATE = "activate", _("Activation")
        ROLL_BACK = "roll_back", _("Retour à la calibration précédente")

    framework = models.ForeignKey(
        "frameworks.Framework",
        verbose_name=_("référentiel"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    calibration = models.ForeignKey(
        Calibration,
        verbose_name=_("calibration activée"),
        on_delete=models.PROTECT,
        related_name="activations",
    )
    previous = models.ForeignKey(
        Calibration,
        verbose_name=_("calibration précédente"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("effectuée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("motif"))
    at = models.DateTimeField(_("effectuée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("activation de calibration")
        verbose_name_plural = _("activations de calibration")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.calibration_id}"


class ProblemReport(models.Model):
    class Category(models.TextChoices):
        WRONG_KEY = "wrong_key", _("La bonne réponse me semble fausse")
        UNCLEAR = "unclear", _("L'énoncé n'est pas clair")
        OUTDATED = "outdated", _("Le contenu n'est plus à jour")
        TYPO = "typo", _("Faute de frappe ou de traduction")
        ACCESSIBILITY = "accessibility", _("Problème d'accessibilité")
        DISPLAY = "display", _("Problème d'affichage")
        OTHER = "other", _("Autre")

    class Status(models.TextChoices):
        OPEN = "open", _("À traiter")
        RESOLVED = "resolved", _("Traité")
        DISMISSED = "dismissed", _("Écarté")

    item_version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("version d'item"),
        on_delete=models.CASCADE,
        related_name="problem_reports",
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signalé par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices)
    comment = models.TextField(_("commentaire"), max_length=2000, blank=True)
    status = models.CharField(_("état"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.item_version} — {self.category}"
