"""The competence framework: versions, areas, competences, capacities, levels, populations.

A framework version is edited freely while nobody has been assessed against it. Once it is
frozen (`frozen_at`, set by the assessment that first uses it), its content cannot change:
`frameworks.services.new_framework_version` copies it into a new editable version.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from palier.core.i18n import BilingualTitleMixin, localized

LEVEL_COUNT_DEFAULT = 5
MAX_LEVEL_RANK = 9
TITLE_MAX_LENGTH = 300

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9.\-]*$", _("Lettres, chiffres, points et tirets uniquement.")
)


class FrameworkFrozenError(Exception):
    """An edit was attempted on a framework version that learners were assessed against."""


class Framework(BilingualTitleMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")

    code = models.CharField(_("code"), max_length=64, validators=[code_validator])
    version = models.CharField(_("version"), max_length=32, validators=[code_validator])
    title_fr = models.CharField(_("titre (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("titre (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    source = models.TextField(_("textes de référence"), blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    frozen_at = models.DateTimeField(
        _("figé le"),
        null=True,
        blank=True,
        help_text=_("Date de la première évaluation faite sur cette version."),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("version du référentiel")
        verbose_name_plural = _("versions du référentiel")
        ordering = ["code", "-published_at", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="unique_framework_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk and frozen_in_database(self.pk):
            raise FrameworkFrozenError(str(self))
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object):  # type: ignore[override]
        if frozen_in_database(self.pk):
            raise FrameworkFrozenError(str(self))
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


def frozen_in_database(framework_id: int | None) -> bool:
    """Read the stored state: an instance loaded before the freeze must not slip through."""
    return Framework.objects.filter(pk=framework_id, frozen_at__isnull=False).exists()


class FrameworkContent(models.Model):
    """Base of every model whose rows belong to one framework version."""

    class Meta:
        abstract = True

    def save(self, *args: object, **kwargs: object) -> None:
        self._guard()
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object):  # type: ignore[override]
        self._guard()
        return super().delete(*args, **kwargs)  # type: ignore[arg-type]

    def owning_framework(self) -> Framework:
        raise NotImplementedError

    def _guard(self) -> None:
        framework = self.owning_framework()
        if frozen_in_database(framework.pk):
            raise FrameworkFrozenError(str(framework))


class Area(BilingualTitleMixin, FrameworkContent):
    framework = models.ForeignKey(
        Framework, on_delete=models.CASCADE, related_name="areas", verbose_name=_("référentiel")
    )
    code = models.CharField(_("code"), max_length=16, validators=[code_validator])
    number = models.PositiveSmallIntegerField(_("numéro"))
    title_fr = models.CharField(_("titre (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("titre (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    reference_hours = models.DecimalField(
        _("heures de formation de référence"), max_digits=5, decimal_places=1, default=0
    )

    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="unique_area_code"),
            models.UniqueConstraint(fields=["framework", "number"], name="unique_area_number"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_fr}"

    def owning_framework(self) -> Framework:
        return self.framework

    @property
    def capacity_count(self) -> int:
        """Capacities of the area (uses prefetched competences and capacities)."""
        return sum(len(competence.capacities.all()) for competence in self.competences.all())


class Competence(BilingualTitleMixin, FrameworkContent):
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="competences", verbose_name=_("domaine")
    )
    code = models.CharField(_("code"), max_length=24, validators=[code_validator])
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title_fr = models.CharField(_("titre (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("titre (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["area", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="unique_competence_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_fr}"

    def owning_framework(self) -> Framework:
        return self.area.framework


class Capacity(BilingualTitleMixin, FrameworkContent):
    """A leaf skill of the framework: what items measure and training modules teach."""

    competence = models.ForeignKey(
        Competence,
        on_delete=models.CASCADE,
        related_name="capacities",
        verbose_name=_("compétence"),
    )
    code = models.CharField(_("code"), max_length=32, validators=[code_validator])
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title_fr = models.CharField(_("titre (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("titre (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)

    class Meta:
        verbose_name = _("capacité")
        verbose_name_plural = _("capacités")
        ordering = ["competence", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["competence", "code"], name="unique_capacity_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title_fr}"

    def owning_framework(self) -> Framework:
        return self.competence.area.framework


class Level(FrameworkContent):
    """One level of an area's scale. A learner is at this level when theta >= min_theta
    (the lowest level has no lower bound)."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="levels", verbose_name=_("domaine")
    )
    rank = models.PositiveSmallIntegerField(
        _("rang"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVEL_RANK)]
    )
    label_fr = models.CharField(_("libellé (français)"), max_length=80)
    label_en = models.CharField(_("libellé (anglais)"), max_length=80, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    min_theta = models.FloatField(
        _("seuil (theta)"),
        null=True,
        blank=True,
        help_text=_("Score de coupure sur l'échelle logit ; vide pour le premier niveau."),
    )

    class Meta:
        verbose_name = _("niveau")
        verbose_name_plural = _("niveaux")
        ordering = ["area", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["area", "rank"], name="unique_level_rank"),
        ]

    def __str__(self) -> str:
        return f"{self.area.code} {self.rank} {self.label_fr}"

    @property
    def label(self) -> str:
        return localized(self, "label")

    @property
    def description(self) -> str:
        return localized(self, "description")

    def owning_framework(self) -> Framework:
        return self.area.framework


class Population(BilingualTitleMixin, models.Model):
    """A curriculum or group of workers that has its own target profile."""

    class Kind(models.TextChoices):
        HIGHER_EDUCATION = "higher_education", _("Formation supérieure en santé")
        VOCATIONAL = "vocational", _("Diplôme professionnel post-secondaire")
        SOCIAL_WORK = "social_work", _("Travail social")
        ADMINISTRATIVE = "administrative", _("Personnels administratifs")
        CONTINUING = "continuing", _("Professionnels en exercice")

    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("catégorie"), max_length=32, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    title_fr = models.CharField(_("titre (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("titre (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    source = models.CharField(_("texte de référence"), max_length=500, blank=True)
    # No national framework is published for this population yet: its target profile is
    # Palier's proposal, and every page showing it says so.
    profile_is_proposal = models.BooleanField(_("profil proposé par Palier"), default=False)

    class Meta:
        verbose_name = _("public")
        verbose_name_plural = _("publics")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        # In the reader's language: lists of populations appear on English pages too.
        return self.title


class TargetLevel(FrameworkContent):
    """The level a population is expected to reach in one area (its target profile)."""

    framework = models.ForeignKey(
        Framework,
        on_delete=models.CASCADE,
        related_name="target_levels",
        verbose_name=_("référentiel"),
    )
    population = models.ForeignKey(
        Population,
        on_delete=models.CASCADE,
        related_name="target_levels",
        verbose_name=_("public"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="target_levels", verbose_name=_("domaine")
    )
    level_rank = models.PositiveSmallIntegerField(
        _("niveau attendu"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LEVEL_RANK)]
    )

    class Meta:
        verbose_name = _("niveau attendu")
        verbose_name_plural = _("niveaux attendus")
        ordering = ["framework", "population", "area"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "population", "area"], name="unique_target_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.population_id}/{self.area_id}: {self.level_rank}"

    def owning_framework(self) -> Framework:
        return self.framework
