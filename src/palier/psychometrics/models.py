"""Calibration operations: runs that estimate a draft calibration from stored responses,
item statistics of each run, simulated pilots, and bookmark standard-setting studies.

The parameters themselves live in `items.Calibration` / `items.ItemParameter`, as every
calibration does; a run adds how they were obtained (filters, linking, fit, DIF, impact). A
draft is never active by itself: activation is a separate, audited action
(`items.CalibrationActivation`).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalibrationRun(models.Model):
    """One calibration started from stored responses, run as a background task."""

    class Scope(models.TextChoices):
        ALL = "all", _("Questions en prétest et opérationnelles")
        PRETEST = "pretest", _("Questions en prétest seulement (opérationnelles fixées)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        READY = "ready", _("Brouillon prêt")
        FAILED = "failed", _("Échec")

    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="calibration_runs"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scope = models.CharField(_("questions calibrées"), max_length=16, choices=Scope.choices)
    period_start = models.DateField(_("réponses à partir du"), null=True, blank=True)
    period_end = models.DateField(_("réponses jusqu'au"), null=True, blank=True)
    populations = models.ManyToManyField(
        "frameworks.Population", blank=True, related_name="+", verbose_name=_("publics")
    )
    synthetic = models.BooleanField(
        _("données simulées"),
        default=False,
        help_text=_("Calibration des réponses d'un pilote simulé, et d'elles seules."),
    )
    # The calibration active when the run started: the scale the draft is linked to.
    reference = models.ForeignKey(
        "items.Calibration", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    draft = models.OneToOneField(
        "items.Calibration",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="run",
    )
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    progress_message = models.CharField(max_length=200, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # Linking constants, anchors used and dropped, mean/sigma check (see docs/calibration.md).
    linking = models.JSONField(null=True, blank=True)
    # Counts, convergence, correlation between areas, time per phase, simulated impact.
    summary = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calcul de calibration")
        verbose_name_plural = _("calculs de calibration")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"run {self.pk} ({self.status})"


class ItemStatistic(models.Model):
    """What one run found about one item version: counts, fit, DIF."""

    run = models.ForeignKey(CalibrationRun, on_delete=models.CASCADE, related_name="statistics")
    item_version = models.ForeignKey(
        "items.ItemVersion", on_delete=models.PROTECT, related_name="statistics"
    )
    responses = models.PositiveIntegerField(_("réponses"))
    proportion_correct = models.FloatField(null=True, blank=True)
    estimated = models.BooleanField(
        default=True, help_text=_("faux : paramètres fixés (ancre ou question opérationnelle)")
    )
    rmsd = models.FloatField(null=True, blank=True)
    fit_p_value = models.FloatField(null=True, blank=True)
    misfit = models.BooleanField(default=False)
    # {"population": {"focal": ..., "reference": ..., "delta": ..., "class": "A|B|C", "n": ...},
    #  "language": {...}, "status": {...}}
    dif = models.JSONField(default=dict, blank=True)
    # Enough responses and no flag: proposed for review as ready (pretest items).
    ready_for_review = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("statistique d'item")
        verbose_name_plural = _("statistiques d'items")
        ordering = ["run", "item_version"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "item_version"], name="one_statistic_per_run_and_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.item_version_id}"


class Pilot(models.Model):
    """A simulated pilot: synthetic learners answering the bank, with the true parameters
    and abilities they were drawn from, kept to measure parameter recovery."""

    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    seed = models.BigIntegerField(_("graine aléatoire"))
    learners = models.PositiveIntegerField(_("apprenants simulés"))
    area_correlation = models.FloatField(_("corrélation entre domaines"))
    # item version id -> [a, b] drawn once; attempt id -> {area code: theta}.
    true_parameters = models.JSONField()
    true_abilities = models.JSONField(default=dict)
    settings = models.JSONField(default=dict, blank=True)
    run = models.OneToOneField(
        CalibrationRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="pilot"
    )
    recovery = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pilote simulé")
        verbose_name_plural = _("pilotes simulés")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"pilot {self.pk}"


class BookmarkStudy(models.Model):
    """A bookmark standard-setting workshop for one area of a framework version."""

    class Status(models.TextChoices):
        OPEN = "open", _("Ouverte")
        ADOPTED = "adopted", _("Seuils adoptés")
        CLOSED = "closed", _("Close sans adoption")

    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey("frameworks.Area", on_delete=models.PROTECT, related_name="+")
    calibration = models.ForeignKey("items.Calibration", on_delete=models.PROTECT, related_name="+")
    response_probability = models.FloatField(
        _("probabilité de réussite retenue"),
        default=0.67,
        validators=[MinValueValidator(0.5), MaxValueValidator(0.9)],
    )
    name = models.CharField(_("nom"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    # The people who place bookmarks (any account, chosen by the psychometrician).
    panellists = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("panélistes")
    )
    # The round in progress; rounds before it are closed, and their bookmarks never change.
    current_round = models.PositiveSmallIntegerField(_("tour en cours"), default=1)
    # Item version ids in booklet order, fixed when the study is created: bookmarks are page
    # numbers, so the booklet must not move when items change status during the study.
    booklet = models.JSONField(default=list, blank=True)
    # Cut scores adopted (one per level boundary) and the framework version they created.
    adopted_cut_scores = models.JSONField(null=True, blank=True)
    adopted_framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    adopted_round = models.PositiveSmallIntegerField(_("tour adopté"), null=True, blank=True)
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    adoption_reason = models.TextField(_("motif de l'adoption"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    adopted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("séance de standardisation (bookmark)")
        verbose_name_plural = _("séances de standardisation (bookmark)")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Bookmark(models.Model):
    """One panellist's bookmark for one level boundary in one round."""

    study = models.ForeignKey(BookmarkStudy, on_delete=models.CASCADE, related_name="bookmarks")
    panellist = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("tour"), default=1)
    # The level that starts at this boundary (2 = boundary between levels 1 and 2).
    level = models.PositiveSmallIntegerField(_("niveau"))
    # 1-based page of the ordered item booklet where the panellist placed the bookmark.
    page = models.PositiveIntegerField(_("page"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("marque-page")
        verbose_name_plural = _("marque-pages")
        ordering = ["study", "round", "level", "panellist"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "panellist", "round", "level"], name="one_bookmark_per_boundary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.study_id} r{self.round} L{self.level}: {self.page}"
