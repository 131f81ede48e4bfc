"""Attempts at the adaptive positioning test, their responses, and the engine settings.

Everything that changes a score is recorded: an attempt keeps its engine settings version,
calibration, language, accommodations and random seed; a response keeps the item version it
showed, the parameters used and theta/SE per area after it. A finished attempt can therefore
be recomputed exactly (`palier rescore`).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Purpose(models.TextChoices):
    """What a test is for: positioning (formative) or certification (on exam day)."""

    POSITIONING = "positioning", _("Positionnement")
    CERTIFICATION = "certification", _("Certification")


class EngineSettings(models.Model):
    """One version of the adaptive algorithm's configuration, valid from a date.

    An attempt uses the version valid when it starts for its purpose; editing settings means
    adding a new version, so finished results never change."""

    version = models.CharField(_("version"), max_length=32, unique=True)
    purpose = models.CharField(
        _("usage"), max_length=16, choices=Purpose.choices, default=Purpose.POSITIONING
    )
    valid_from = models.DateTimeField(_("valable à partir du"))
    se_target = models.FloatField(
        _("précision visée (erreur type par domaine)"),
        # Chosen by simulation on the seed bank (benchmarks/engine_settings.py, docs).
        default=0.55,
        validators=[MinValueValidator(0.05), MaxValueValidator(2.0)],
    )
    min_items = models.PositiveSmallIntegerField(_("nombre minimal de questions"), default=10)
    max_items = models.PositiveSmallIntegerField(
        _("nombre maximal de questions"), default=40, validators=[MinValueValidator(1)]
    )
    min_items_per_area = models.PositiveSmallIntegerField(
        _("questions minimales par domaine"), default=2
    )
    area_correlation = models.FloatField(
        _("corrélation entre domaines"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.95)],
        help_text=_(
            "0 : domaines indépendants ; sinon les réponses d'un domaine informent "
            "les autres (a priori normal multivarié)."
        ),
    )
    randomesque = models.PositiveSmallIntegerField(
        _("tirage parmi les k meilleures questions"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    pretest_count = models.PositiveSmallIntegerField(
        _("questions en prétest par test"),
        default=0,
        validators=[MaxValueValidator(5)],
        help_text=_(
            "Questions nouvelles glissées à des positions tirées au sort : elles ne "
            "comptent pas dans le résultat et servent à les calibrer."
        ),
    )
    timed = models.BooleanField(
        _("questions chronométrées"),
        default=False,
        help_text=_(
            "Chaque question a alors une limite : sa durée estimée multipliée par ce "
            "facteur (et par 1,33 pour les personnes bénéficiant d'un tiers-temps)."
        ),
    )
    time_limit_factor = models.FloatField(
        _("facteur de la limite de temps"),
        default=3.0,
        validators=[MinValueValidator(1.0), MaxValueValidator(10.0)],
    )
    max_exposure_rate = models.FloatField(
        _("exposition maximale d'une question"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.01), MaxValueValidator(1.0)],
        help_text=_(
            "Vide : pas de plafond. Sinon, une question déjà donnée à cette part des "
            "candidats est écartée tant que d'autres restent (sélection restreinte)."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("réglages du moteur adaptatif")
        verbose_name_plural = _("réglages du moteur adaptatif")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_items__gte=models.F("min_items")), name="engine_max_at_least_min"
            ),
        ]

    def __str__(self) -> str:
        return self.version


class Attempt(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("En cours")
        FINISHED = "finished", _("Terminé")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    calibration = models.ForeignKey(
        "items.Calibration", on_delete=models.PROTECT, related_name="attempts"
    )
    engine_settings = models.ForeignKey(
        EngineSettings, on_delete=models.PROTECT, related_name="attempts"
    )
    purpose = models.CharField(
        _("usage"), max_length=16, choices=Purpose.choices, default=Purpose.POSITIONING
    )
    areas = models.JSONField(_("domaines évalués"))
    language = models.CharField(_("langue"), max_length=2, default="fr")
    accommodations = models.JSONField(_("aménagements"), default=dict, blank=True)
    pretest_positions = models.JSONField(
        _("positions des questions en prétest"), default=list, blank=True
    )
    excluded_items = models.JSONField(_("questions écartées (déjà vues)"), default=list, blank=True)
    # Observed exposure rate of each item (version id -> share of tests) when the attempt
    # started, for the restricted selection of `engine_settings.max_exposure_rate`.
    exposure_rates = models.JSONField(_("taux d'exposition au départ"), default=dict, blank=True)
    seed = models.BigIntegerField(_("graine aléatoire"))
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS
    )
    current_position = models.PositiveIntegerField(default=1)
    current_version = models.ForeignKey(
        "items.ItemVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    current_shown_at = models.DateTimeField(null=True, blank=True)
    current_time_limit = models.PositiveIntegerField(null=True, blank=True)
    progress = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=32, blank=True)
    result = models.JSONField(_("résultat"), null=True, blank=True)
    synthetic = models.BooleanField(
        _("simulée"),
        default=False,
        help_text=_(
            "Passation d'un apprenant simulé (pilote de calibration) : jamais montrée "
            "comme celle d'une personne réelle ni comptée dans les indicateurs."
        ),
    )

    class Meta:
        verbose_name = _("passation")
        verbose_name_plural = _("passations")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"attempt {self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status == self.Status.FINISHED


class Response(models.Model):
    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="responses")
    position = models.PositiveIntegerField()
    item_version = models.ForeignKey(
        "items.ItemVersion", on_delete=models.PROTECT, related_name="responses"
    )
    answer_id = models.UUIDField(null=True, blank=True)
    raw_answer = models.JSONField(null=True, blank=True)
    correct = models.BooleanField()
    credit = models.FloatField()
    shown_at = models.DateTimeField()
    answered_at = models.DateTimeField()
    time_limit_seconds = models.PositiveIntegerField(null=True, blank=True)
    timed_out = models.BooleanField(default=False)
    pretest = models.BooleanField(
        default=False, help_text=_("question en prétest : non comptée dans le résultat")
    )
    discrimination = models.FloatField()
    difficulty = models.FloatField()
    guessing = models.FloatField(null=True, blank=True)
    theta = models.JSONField(help_text=_("theta par domaine après cette réponse"))
    se = models.JSONField(help_text=_("erreur type par domaine après cette réponse"))

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "position"], name="one_response_per_position"
            ),
            models.UniqueConstraint(
                fields=["attempt", "answer_id"], name="one_response_per_answer_id"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} #{self.position}"


class RecomputedResult(models.Model):
    """An attempt's result recomputed under another calibration: a new, labelled result.

    The attempt's own result keeps the calibration it was computed with (published results
    never change); this row says which calibration gave which levels, who asked and why."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="recomputations")
    calibration = models.ForeignKey(
        "items.Calibration", on_delete=models.PROTECT, related_name="recomputed_results"
    )
    result = models.JSONField(_("résultat recalculé"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("motif"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("résultat recalculé")
        verbose_name_plural = _("résultats recalculés")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["attempt", "calibration"], name="one_recomputation_per_calibration"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.attempt_id} under calibration {self.calibration_id}"


class ResultVerification(models.Model):
    """The verification code printed on a result's PDF: anyone holding it can confirm the
    result on a public page. Created once per result, never edited; it stops answering when
    the learner's account is erased (verification.py)."""

    attempt = models.OneToOneField(
        Attempt, on_delete=models.CASCADE, related_name="verification", verbose_name=_("passation")
    )
    code = models.CharField(_("code de vérification"), max_length=16, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("code de vérification d'un résultat")
        verbose_name_plural = _("codes de vérification des résultats")

    def __str__(self) -> str:
        return f"verification of {self.attempt_id}"
