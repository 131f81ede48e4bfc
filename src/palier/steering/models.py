"""What national steering records: denominators (enrolled learners), national totals,
versioned targets, funding calls and awards with what is attached to them, and
professionals' feedback. Pages and exports of this app show aggregates only
(`steering/privacy.py`); no model here is shown row by row to steering except targets,
calls, awards and framework proposals, which hold no learner's data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.core.i18n import BilingualTitleMixin
from palier.steering.choices import (
    DenominatorSource,
    FeedbackSubject,
    Indicator,
    ProposalStatus,
    TargetKind,
)

TITLE_MAX_LENGTH = 200
SOURCE_MAX_LENGTH = 500
COMMENT_MAX_LENGTH = 2000
RATING_VALIDATORS = [MinValueValidator(1), MaxValueValidator(5)]
YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Enrolment(models.Model):
    """Learners enrolled in one institution, population, year of study and academic year:
    the denominator of the institution's reach. Imported (CSV) or declared on a form; a new
    figure for the same cell replaces the old one (who and when are kept)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("établissement"),
    )
    population = models.ForeignKey(
        "frameworks.Population",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("public"),
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("année d'études"),
        validators=[MinValueValidator(1), MaxValueValidator(MAX_YEAR_OF_STUDY)],
    )
    academic_year = models.PositiveSmallIntegerField(
        _("année universitaire (première année)"), validators=YEAR_VALIDATORS
    )
    learners = models.PositiveIntegerField(_("apprenants inscrits"))
    source = models.CharField(_("origine"), max_length=16, choices=DenominatorSource.choices)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déclaré par"),
    )
    declared_at = models.DateTimeField(_("déclaré le"), auto_now=True)

    class Meta:
        verbose_name = _("effectif inscrit")
        verbose_name_plural = _("effectifs inscrits")
        ordering = ["academic_year", "organisation", "population", "year_of_study"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "population", "year_of_study", "academic_year"],
                name="one_enrolment_per_cell",
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.organisation_id}/{self.population_id}/{self.year_of_study}/{self.academic_year}"
        )


class NationalTotal(models.Model):
    """Learners of one population in one academic year nationally, entered by steering from
    a published source, for the institutions not yet on Palier."""

    population = models.ForeignKey(
        "frameworks.Population",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("public"),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("année universitaire (première année)"), validators=YEAR_VALIDATORS
    )
    learners = models.PositiveIntegerField(_("apprenants"))
    source = models.CharField(_("source"), max_length=SOURCE_MAX_LENGTH)
    source_date = models.DateField(_("date de la source"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisi par"),
    )
    entered_at = models.DateTimeField(_("saisi le"), auto_now=True)

    class Meta:
        verbose_name = _("effectif national")
        verbose_name_plural = _("effectifs nationaux")
        ordering = ["academic_year", "population"]
        constraints = [
            models.UniqueConstraint(
                fields=["population", "academic_year"], name="one_national_total_per_year"
            )
        ]

    def __str__(self) -> str:
        return f"{self.population_id}/{self.academic_year}: {self.learners}"


class Target(BilingualTitleMixin, models.Model):
    """One target of the plan, versioned: editing a target adds a version (rows are never
    edited), and the highest version of a code is in force.

    A share target is reached when `indicator` counts `value` % of the denominator of the
    populations of `population_kinds` in academic year `year`; a count target when it counts
    `value` learners in that year (and, with `yearly`, in every year from `year` on)."""

    code = models.SlugField(_("code"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    title_fr = models.CharField(_("intitulé (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    indicator = models.CharField(_("indicateur"), max_length=32, choices=Indicator.choices)
    # Population kinds (frameworks.Population.Kind values) the target covers.
    population_kinds = models.JSONField(_("catégories de publics"))
    kind = models.CharField(_("type de cible"), max_length=16, choices=TargetKind.choices)
    value = models.DecimalField(_("valeur"), max_digits=12, decimal_places=1)
    year = models.PositiveSmallIntegerField(
        _("année universitaire visée (première année)"), validators=YEAR_VALIDATORS
    )
    yearly = models.BooleanField(_("chaque année à partir de l'année visée"), default=False)
    source = models.CharField(_("source"), max_length=SOURCE_MAX_LENGTH)
    is_active = models.BooleanField(_("en vigueur"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("cible")
        verbose_name_plural = _("cibles")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="one_target_version"),
            models.CheckConstraint(
                condition=Q(kind="count") | Q(value__lte=100), name="target_share_at_most_100"
            ),
            models.CheckConstraint(condition=Q(value__gt=0), name="target_value_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class FundingCall(BilingualTitleMixin, models.Model):
    """A call for projects that funds programmes (e.g. the digital-health strand of
    "Compétences et métiers d'avenir")."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_fr = models.CharField(_("intitulé (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    budget_euros = models.PositiveBigIntegerField(_("budget (euros)"))
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    source = models.CharField(_("source"), max_length=SOURCE_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("appel à projets")
        verbose_name_plural = _("appels à projets")
        ordering = ["opens_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="call_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.title


class Award(BilingualTitleMixin, models.Model):
    """A programme funded by a call: its awardee organisation (whose staff manage it),
    partners, amount, dates, planned learners and objectives."""

    call = models.ForeignKey(
        FundingCall, on_delete=models.PROTECT, related_name="awards", verbose_name=_("appel")
    )
    code = models.SlugField(_("code"), max_length=64, unique=True)
    title_fr = models.CharField(_("intitulé (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=TITLE_MAX_LENGTH, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="awards",
        verbose_name=_("lauréat"),
    )
    partners = models.TextField(_("partenaires (un par ligne)"), blank=True)
    amount_euros = models.PositiveBigIntegerField(_("montant (euros)"))
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    objectives_fr = models.TextField(_("objectifs (français)"), blank=True)
    objectives_en = models.TextField(_("objectifs (anglais)"), blank=True)
    source = models.CharField(_("source"), max_length=SOURCE_MAX_LENGTH, blank=True)
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)

    class Meta:
        verbose_name = _("projet lauréat")
        verbose_name_plural = _("projets lauréats")
        ordering = ["call", "title_fr"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="award_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title


class PlannedLearners(models.Model):
    """Learners an award plans to reach in one population and academic year."""

    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, related_name="planned", verbose_name=_("projet")
    )
    population = models.ForeignKey(
        "frameworks.Population",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("public"),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("année universitaire (première année)"), validators=YEAR_VALIDATORS
    )
    learners = models.PositiveIntegerField(_("apprenants prévus"))

    class Meta:
        verbose_name = _("apprenants prévus")
        verbose_name_plural = _("apprenants prévus")
        ordering = ["award", "academic_year", "population"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "population", "academic_year"], name="one_plan_per_award_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.award_id}/{self.population_id}/{self.academic_year}: {self.learners}"


class AwardCampaign(models.Model):
    """A campaign run as part of an award (a campaign belongs to at most one award)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="campaign_links")
    campaign = models.OneToOneField(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="award_link"
    )

    class Meta:
        verbose_name = _("campagne d'un projet")
        verbose_name_plural = _("campagnes des projets")

    def __str__(self) -> str:
        return f"{self.award_id}: {self.campaign_id}"


class AwardModule(models.Model):
    """A training module built or run by an award (a module belongs to at most one award)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="module_links")
    module = models.OneToOneField(
        "training.Module", on_delete=models.CASCADE, related_name="award_link"
    )

    class Meta:
        verbose_name = _("module d'un projet")
        verbose_name_plural = _("modules des projets")

    def __str__(self) -> str:
        return f"{self.award_id}: {self.module_id}"


class AwardSession(models.Model):
    """A certification session held for an award (at most one award per session)."""

    award = models.ForeignKey(Award, on_delete=models.CASCADE, related_name="session_links")
    session = models.OneToOneField(
        "certification.Session", on_delete=models.CASCADE, related_name="award_link"
    )

    class Meta:
        verbose_name = _("session de certification d'un projet")
        verbose_name_plural = _("sessions de certification des projets")

    def __str__(self) -> str:
        return f"{self.award_id}: {self.session_id}"


class Feedback(models.Model):
    """A professional's or learner's short opinion after a result, a certification or a
    completed module. Optional, one per subject and person (a second answer replaces the
    first). Steering sees aggregates and comments stripped of personal data, never the
    person; the population and status are copied at answer time for the breakdowns."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback"
    )
    subject = models.CharField(_("objet"), max_length=16, choices=FeedbackSubject.choices)
    # The attempt, candidate or plan entry the opinion is about (its primary key as text).
    subject_ref = models.CharField(_("référence"), max_length=64)
    usefulness = models.PositiveSmallIntegerField(_("utilité"), validators=RATING_VALIDATORS)
    difficulty = models.PositiveSmallIntegerField(_("difficulté"), validators=RATING_VALIDATORS)
    clarity = models.PositiveSmallIntegerField(_("clarté"), validators=RATING_VALIDATORS)
    comment = models.TextField(_("commentaire"), max_length=COMMENT_MAX_LENGTH, blank=True)
    population = models.ForeignKey(
        "frameworks.Population",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(_("situation"), max_length=32, blank=True)
    created_at = models.DateTimeField(_("donné le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avis")
        verbose_name_plural = _("avis")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "subject", "subject_ref"], name="one_feedback_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} {self.subject_ref}"


class FrameworkProposal(models.Model):
    """A proposal to change the framework, from anyone signed in; steering moderates it and
    links an accepted one to the framework version that takes it up."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="framework_proposals",
    )
    area = models.ForeignKey(
        "frameworks.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("domaine")
    )
    competence = models.ForeignKey(
        "frameworks.Competence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compétence"),
    )
    proposal = models.TextField(_("proposition"), max_length=COMMENT_MAX_LENGTH)
    rationale = models.TextField(_("justification"), max_length=COMMENT_MAX_LENGTH)
    status = models.CharField(
        _("état"), max_length=16, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("modérée le"), null=True, blank=True)
    moderation_note = models.TextField(_("réponse"), max_length=COMMENT_MAX_LENGTH, blank=True)
    framework = models.ForeignKey(
        "frameworks.Framework",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version du référentiel qui la reprend"),
    )
    created_at = models.DateTimeField(_("reçue le"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposition d'évolution du référentiel")
        verbose_name_plural = _("propositions d'évolution du référentiel")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(framework__isnull=True) | Q(status="accepted"),
                name="only_accepted_proposal_links_framework",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area_id}: {self.proposal[:40]}"


# Aggregates
# Summary tables written only by `steering/aggregates.refresh` and read by the dashboards
# (`steering/queries.py`); they hold counts, never a person. One row per cell of a scope:
# the whole country, an institution type, an institution or an award (see Scope).


class Scope(models.TextChoices):
    """Which learners a summary row counts. Each learner counts once per scope key, so the
    national rows never count twice a learner of two institutions."""

    ALL = "all", _("Tous les apprenants")
    # Key: an organisation type, or "" for the learners of no institution that year.
    TYPE = "type", _("Type d'établissement")
    ORGANISATION = "organisation", _("Établissement")
    # Key: an award, or none for the learners of no award that year.
    AWARD = "award", _("Programme")


class SummaryRow(models.Model):
    """Fields shared by the summary tables: the year, the scope and the learners' profile
    (population, region; "" and none when not stated)."""

    read_from_replica = True

    academic_year = models.PositiveSmallIntegerField()
    scope = models.CharField(max_length=16, choices=Scope.choices)
    institution_type = models.CharField(max_length=32, blank=True)
    organisation_id = models.BigIntegerField(null=True)
    award_id = models.BigIntegerField(null=True)
    population_id = models.BigIntegerField(null=True)
    region = models.CharField(max_length=8, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.academic_year} {self.scope} {self.pk}"


class ReachSummary(SummaryRow):
    """Learners of one cell: active, reached, assessed, trained, certified, and training
    hours (shown only beside the number of learners they come from: `trained`)."""

    status = models.CharField(max_length=32, blank=True)
    active = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    assessed = models.PositiveIntegerField(default=0)
    trained = models.PositiveIntegerField(default=0)
    certified = models.PositiveIntegerField(default=0)
    trained_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    planned_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["academic_year", "scope", "institution_type", "organisation_id"],
                name="reach_summary_scope",
            ),
            models.Index(fields=["academic_year", "scope", "award_id"], name="reach_summary_award"),
        ]


class LevelSummary(SummaryRow):
    """Shared levels of one cell, from shared results only (each learner's latest result
    shared during the year, once per scope key), every area in one row so that a national
    year stays some 10^5 rows: `levels` = {area: {level rank: learners}}, `gaps` = {area:
    [learners whose result carries a target, sum of (level - target)]}."""

    levels = models.JSONField(default=dict)
    gaps = models.JSONField(default=dict)

    class Meta:
        indexes = [
            models.Index(
                fields=["academic_year", "scope", "institution_type", "organisation_id"],
                name="level_summary_scope",
            ),
        ]


class RefreshRun(models.Model):
    """When the summary tables were last refreshed, for the pages' "figures as of"."""

    read_from_replica = True

    academic_year = models.PositiveSmallIntegerField(unique=True)
    refreshed_at = models.DateTimeField()
    rows = models.PositiveIntegerField()
    seconds = models.FloatField()

    def __str__(self) -> str:
        return f"{self.academic_year}: {self.refreshed_at:%Y-%m-%d %H:%M}"


class RouteHoursSummary(SummaryRow):
    """Module hours of one cell per learner status and funding route, with the learners
    they come from: hours planned (modules added to a plan during the year) and completed
    (modules completed during the year) under each route that applies to the learner
    (`training.queries.route_hours_per_learner`: a module with several routes counts under
    each). Hours are shown only beside their learners."""

    status = models.CharField(max_length=32, blank=True)
    route = models.CharField(max_length=32)
    planned_learners = models.PositiveIntegerField(default=0)
    completed_learners = models.PositiveIntegerField(default=0)
    planned_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)
    completed_hours = models.DecimalField(max_digits=14, decimal_places=1, default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["academic_year", "scope", "institution_type", "organisation_id"],
                name="route_hours_summary_scope",
            ),
            models.Index(
                fields=["academic_year", "scope", "award_id"], name="route_hours_summary_award"
            ),
        ]
