"""Campaigns run by organisations, their expected learners, participations and shared results.

An organisation never reads a learner's attempts: it reads the snapshot frozen when the
learner shared (Participation.snapshot), and its per-area levels and per-competence signals
copied into SharedLevel and SharedCompetence rows so dashboards aggregate in SQL.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.campaigns.codes import display

NAME_MAX_LENGTH = 200
PURPOSE_MAX_LENGTH = 2000


class Campaign(models.Model):
    class Kind(models.TextChoices):
        ASSESSMENT = "assessment", _("Test de positionnement")
        COLLECTION = "collection", _("Collecte de résultats existants")

    class Sharing(models.TextChoices):
        CONSENT = "consent", _("Sur accord explicite de chaque apprenant")
        AUTOMATIC = "automatic", _("Automatiquement à la fin du test (annoncé à l'inscription)")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="campaigns"
    )
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("nom"), max_length=NAME_MAX_LENGTH)
    purpose = models.TextField(_("objet"), max_length=PURPOSE_MAX_LENGTH)
    kind = models.CharField(_("type"), max_length=16, choices=Kind.choices)
    areas = models.JSONField(_("domaines"))
    target_population = models.ForeignKey(
        "frameworks.Population",
        verbose_name=_("profil cible"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide : le profil cible du public de chaque apprenant."),
    )
    populations = models.ManyToManyField(
        "frameworks.Population", verbose_name=_("publics concernés"), blank=True, related_name="+"
    )
    opens_on = models.DateField(_("ouverture"))
    closes_on = models.DateField(_("clôture"))
    external_id_label = models.CharField(
        _("identifiant demandé aux apprenants"),
        max_length=80,
        blank=True,
        help_text=_("Par exemple « Numéro étudiant ». Vide : rien n'est demandé."),
    )
    sharing = models.CharField(
        _("partage des résultats"),
        max_length=16,
        choices=Sharing.choices,
        default=Sharing.CONSENT,
    )
    code = models.CharField(_("code"), max_length=9, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-opens_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="campaign_closes_after_opening"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_code(self) -> str:
        return display(self.code)

    def is_open(self, today: object = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on  # type: ignore[operator]

    @property
    def state(self) -> str:
        today = timezone.localdate()
        if today < self.opens_on:
            return "upcoming"
        return "open" if today <= self.closes_on else "closed"


class ExpectedLearner(models.Model):
    """A learner the organisation expects in a campaign (imported list), to follow coverage."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="expected")
    email = models.EmailField(_("adresse e-mail"))
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    external_id = models.CharField(_("identifiant externe"), max_length=64, blank=True)
    population = models.ForeignKey(
        "frameworks.Population", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    year_of_study = models.PositiveSmallIntegerField(_("année"), null=True, blank=True)

    class Meta:
        verbose_name = _("apprenant attendu")
        verbose_name_plural = _("apprenants attendus")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "email"], name="expected_once"),
            models.CheckConstraint(
                condition=Q(year_of_study__isnull=True)
                | Q(year_of_study__gte=1, year_of_study__lte=MAX_YEAR_OF_STUDY),
                name="expected_year_in_range",
            ),
        ]

    def __str__(self) -> str:
        return self.email


class Participation(models.Model):
    """A learner in a campaign. Status only moves forward: joined → started → finished →
    shared. The organisation sees names and status from joining on; results only once
    shared, and then only the frozen snapshot."""

    class Status(models.TextChoices):
        JOINED = "joined", _("Inscrit")
        STARTED = "started", _("Test commencé")
        FINISHED = "finished", _("Test fini, non partagé")
        SHARED = "shared", _("Résultat partagé")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    external_id = models.CharField(_("identifiant externe"), max_length=64, blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.JOINED
    )
    attempt = models.ForeignKey(
        "assessments.Attempt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
    )
    joined_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    plan_shared = models.BooleanField(_("plan de formation partagé"), default=False)
    # Copied at sharing time so dashboards group without joining profiles.
    population_code = models.CharField(max_length=64, blank=True)
    year_of_study = models.PositiveSmallIntegerField(null=True, blank=True)
    snapshot = models.JSONField(_("résultat partagé"), null=True, blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="participation_once"),
            models.CheckConstraint(
                condition=Q(status="shared", snapshot__isnull=False, shared_at__isnull=False)
                | (~Q(status="shared") & Q(snapshot__isnull=True)),
                name="snapshot_iff_shared",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.campaign_id} ({self.status})"


class SharedLevel(models.Model):
    """One area's level in a shared snapshot."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="shared_levels"
    )
    area = models.CharField(max_length=16)
    level = models.PositiveSmallIntegerField()
    target = models.PositiveSmallIntegerField(null=True)
    theta = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participation", "area"], name="shared_level_once"),
        ]
        indexes = [models.Index(fields=["area", "level"])]

    def __str__(self) -> str:
        return f"{self.participation_id} {self.area}: {self.level}"


class SharedCompetence(models.Model):
    """One competence's signal (gap, strength, expected, unknown) in a shared snapshot."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="shared_competences"
    )
    competence = models.CharField(max_length=24)
    kind = models.CharField(max_length=8)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "competence"], name="shared_competence_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation_id} {self.competence}: {self.kind}"


class SharingStop(models.Model):
    """A learner stopped future sharing with an organisation. Snapshots shared before stay
    (the learner was told so before sharing); new shares and plan sharing stop."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sharing_stops"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("arrêt du partage")
        verbose_name_plural = _("arrêts du partage")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="sharing_stop_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} stopped sharing with {self.organisation_id}"


class CodeAttempt(models.Model):
    """A wrong campaign code typed, keyed by user and by hashed client address (rate limit)."""

    key = models.CharField(max_length=80, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M}"


# --- reminders --------------------------------------------------------------------------


class ReminderBatch(models.Model):
    """One reminder e-mail sent by staff to a campaign's learners who have not joined or not
    finished. The history shows who sent it, when, to how many; recipients are kept by id
    (ReminderRecipient), never by address, and drive the per-learner limit."""

    class Audience(models.TextChoices):
        NOT_JOINED = "not_joined", _("Apprenants attendus qui n'ont pas rejoint la campagne")
        NOT_FINISHED = "not_finished", _("Apprenants inscrits qui n'ont pas fini le test")

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="reminder_batches"
    )
    audience = models.CharField(_("destinataires"), max_length=16, choices=Audience.choices)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("demandée le"), default=timezone.now, db_index=True)
    recipient_count = models.PositiveIntegerField(_("apprenants relancés"))
    sent_count = models.PositiveIntegerField(_("e-mails envoyés"), default=0)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"reminder {self.pk} of campaign {self.campaign_id} ({self.recipient_count})"


class ReminderRecipient(models.Model):
    """A learner reminded in a batch: an expected learner (not joined) or a participation
    (not finished)."""

    batch = models.ForeignKey(ReminderBatch, on_delete=models.CASCADE, related_name="recipients")
    expected = models.ForeignKey(
        ExpectedLearner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    participation = models.ForeignKey(
        Participation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "expected"], name="reminder_expected_once"),
            models.UniqueConstraint(
                fields=["batch", "participation"], name="reminder_participation_once"
            ),
        ]

    def __str__(self) -> str:
        who = f"expected {self.expected_id}" if self.expected_id else f"p{self.participation_id}"
        return f"{who} in reminder {self.batch_id}"


# --- groups of learners and pending imports ------------------------------------------------

GROUP_NAME_MAX_LENGTH = 80


class LearnerGroup(models.Model):
    """A class or promotion of an organisation ("Promotion 2025-2028", "TD 2").

    Groups belong to the organisation, not to a campaign: a promotion is followed through
    several campaigns. Learners are members by e-mail address (lower case), as expected
    learners are matched to participants, so one membership covers the imported list and
    every campaign the learner joins with that address."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="learner_groups"
    )
    name = models.CharField(_("nom du groupe"), max_length=GROUP_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("groupe d'apprenants")
        verbose_name_plural = _("groupes d'apprenants")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("name"), name="learner_group_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class LearnerGroupMember(models.Model):
    """A learner, by e-mail address (lower case), in a group."""

    group = models.ForeignKey(LearnerGroup, on_delete=models.CASCADE, related_name="members")
    email = models.EmailField(_("adresse e-mail"))

    class Meta:
        verbose_name = _("membre d'un groupe")
        verbose_name_plural = _("membres d'un groupe")
        constraints = [
            models.UniqueConstraint(fields=["group", "email"], name="learner_group_member_once"),
        ]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.email} in {self.group_id}"


class PendingImport(models.Model):
    """A list of expected learners checked by a dry run, kept so that the admin confirms
    the import without choosing the file again. One per admin and campaign (a new dry run
    replaces it), found by its random token, valid for PENDING_IMPORT_MINUTES, deleted once
    imported. It holds the file as sent: the confirmation checks it again, with the same
    all-or-nothing rules."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    data = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="pending_import_once"),
        ]

    def __str__(self) -> str:
        return f"pending import of {self.campaign_id} by {self.user_id}"
