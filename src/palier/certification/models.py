"""Certification centres, sessions, candidates and what exam day records about them.

A candidate's test is an `assessments.Attempt` with the certification purpose, so it keeps
every reproducibility guarantee of the positioning test (`palier rescore` included). What
the jury decides is a new `JuryDecision` row each time (never edited); a certificate is
issued from the latest decision that certifies, and is revoked, never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_DURATION_MINUTES = 45
ROOM_MAX_LENGTH = 120
ADDRESS_MAX_LENGTH = 300


class Centre(models.Model):
    """An organisation granted the capability to run certification sessions (by a platform
    administrator)."""

    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="certification_centre",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("habilitation en cours"), default=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("habilité par"),
    )
    granted_at = models.DateTimeField(_("habilité le"), auto_now_add=True)

    class Meta:
        verbose_name = _("centre de certification")
        verbose_name_plural = _("centres de certification")

    def __str__(self) -> str:
        return str(self.organisation)


class Session(models.Model):
    """One exam: a date, a room, its candidates and invigilators, an access code."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", pgettext_lazy("statut de session", "Programmée")
        OPEN = "open", pgettext_lazy("statut de session", "Ouverte")
        FINALISED = "finalised", pgettext_lazy("statut de session", "Clôturée")
        CANCELLED = "cancelled", pgettext_lazy("statut de session", "Annulée")

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="sessions")
    framework = models.ForeignKey(
        "frameworks.Framework", on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("heure de début"))
    room = models.CharField(_("salle"), max_length=ROOM_MAX_LENGTH)
    address = models.CharField(_("adresse"), max_length=ADDRESS_MAX_LENGTH)
    expected_candidates = models.PositiveIntegerField(_("candidats attendus"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("durée de l'épreuve (minutes)"), default=DEFAULT_DURATION_MINUTES
    )
    access_code = models.CharField(_("code d'accès"), max_length=6)
    invigilator_password = models.CharField(
        _("mot de passe de surveillance (haché)"), max_length=128
    )
    invigilators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="invigilated_sessions",
        verbose_name=_("surveillants"),
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.SCHEDULED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    opened_at = models.DateTimeField(_("ouverte le"), null=True, blank=True)
    finalised_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    report = models.TextField(_("rapport de session"), blank=True)

    class Meta:
        verbose_name = _("session de certification")
        verbose_name_plural = _("sessions de certification")
        ordering = ["-date", "-start_time"]
        constraints = [
            models.UniqueConstraint(
                fields=["access_code"],
                condition=Q(status__in=["scheduled", "open"]),
                name="unique_access_code_among_open_sessions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.date:%Y-%m-%d} {self.room}"

    @property
    def is_locked(self) -> bool:
        return self.status in (self.Status.FINALISED, self.Status.CANCELLED)


class Candidate(models.Model):
    """A person enrolled in a session, and where they are on exam day."""

    class Status(models.TextChoices):
        EXPECTED = "expected", pgettext_lazy("statut de candidat", "Attendu")
        PRESENT = "present", pgettext_lazy("statut de candidat", "Présent, en attente")
        AUTHORISED = "authorised", pgettext_lazy("statut de candidat", "Autorisé")
        IN_PROGRESS = "in_progress", pgettext_lazy("statut de candidat", "En cours")
        FINISHED = "finished", pgettext_lazy("statut de candidat", "Terminé")
        ENDED = "ended", pgettext_lazy("statut de candidat", "Arrêté par le surveillant")
        ABSENT = "absent", pgettext_lazy("statut de candidat", "Absent")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="candidates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certification_candidacies"
    )
    extra_time_percent = models.PositiveSmallIntegerField(_("temps supplémentaire (%)"), default=0)
    screen_reader = models.BooleanField(
        _("questions compatibles lecteur d'écran uniquement"), default=False
    )
    override_reason = models.TextField(
        _("motif de dérogation (déjà certifié il y a moins de 12 mois)"), blank=True
    )
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("statut"), max_length=16, choices=Status.choices, default=Status.EXPECTED
    )
    enrolled_at = models.DateTimeField(_("inscrit le"), auto_now_add=True)
    arrived_at = models.DateTimeField(_("arrivé le"), null=True, blank=True)
    authorised_at = models.DateTimeField(_("autorisé le"), null=True, blank=True)
    # The device (browser session) the candidate sits the test on: a random token kept in
    # that browser's session; another device is refused while this one is active.
    device_token = models.CharField(max_length=64, blank=True)
    device_seen_at = models.DateTimeField(null=True, blank=True)
    # A new device (or a resume after a disconnection) waits for the invigilator.
    awaiting_authorisation = models.BooleanField(default=False)
    attempt = models.OneToOneField(
        "assessments.Attempt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="certification_candidate",
    )
    deadline = models.DateTimeField(_("fin du temps imparti"), null=True, blank=True)
    ended_at = models.DateTimeField(_("arrêté le"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    present_confirmed = models.BooleanField(_("présence confirmée"), null=True, blank=True)
    published_at = models.DateTimeField(_("résultat publié le"), null=True, blank=True)

    class Meta:
        verbose_name = _("candidat")
        verbose_name_plural = _("candidats")
        ordering = ["user__last_name", "user__first_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_candidacy_per_session"),
            models.CheckConstraint(
                condition=Q(extra_time_percent__lte=200), name="extra_time_at_most_200_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.session_id})"


class Alert(models.Model):
    """ "Signaler un problème" during the test: the question is frozen until the invigilator
    validates (the question is replaced and does not count) or dismisses the alert."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("statut de signalement", "À traiter")
        VALIDATED = (
            "validated",
            pgettext_lazy("statut de signalement", "Validé : question remplacée"),
        )
        DISMISSED = "dismissed", pgettext_lazy("statut de signalement", "Rejeté")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="alerts")
    position = models.PositiveIntegerField(_("question n°"))
    item_version = models.ForeignKey(
        "items.ItemVersion", on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(_("commentaire du candidat"), max_length=2000, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("signalement en séance")
        verbose_name_plural = _("signalements en séance")
        ordering = ["raised_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"],
                condition=Q(status="open"),
                name="one_open_alert_per_candidate",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk} ({self.status})"


class Incident(models.Model):
    """What the invigilator writes down during the session."""

    class Category(models.TextChoices):
        TECHNICAL = "technical", _("Problème technique")
        FRAUD = "fraud", _("Suspicion de fraude")
        ACCESSIBILITY = "accessibility", _("Accessibilité")
        EXTRA_TIME = "extra_time", _("Temps supplémentaire")
        OTHER = "other", _("Autre")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="incidents")
    candidate = models.ForeignKey(
        Candidate, on_delete=models.CASCADE, null=True, blank=True, related_name="incidents"
    )
    category = models.CharField(_("catégorie"), max_length=16, choices=Category.choices)
    comment = models.TextField(_("commentaire"), max_length=4000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("noté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.category}: {self.comment[:40]}"


class JuryDecision(models.Model):
    """One decision on a candidate's result: the automatic rules at the end of the test, then
    any review. The latest row is the one in force; rows are never edited."""

    class Outcome(models.TextChoices):
        CERTIFIED = "certified", pgettext_lazy("décision du jury", "Certifié")
        NOT_CERTIFIED = "not_certified", pgettext_lazy("décision du jury", "Aucun niveau certifié")
        REJECTED = "rejected", pgettext_lazy("décision du jury", "Résultat rejeté")
        TO_REVIEW = "to_review", pgettext_lazy("décision du jury", "À examiner")

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="decisions")
    outcome = models.CharField(_("décision"), max_length=16, choices=Outcome.choices)
    # Per area: {"level": L or null, "probability": P(level >= L), "levels": [P(level >= k)]}
    levels = models.JSONField(_("niveaux certifiés"), default=dict)
    reasons = models.JSONField(_("motifs"), default=list)  # stable codes of the rules applied
    rule_version = models.CharField(_("version des règles"), max_length=32)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Vide : règles automatiques."),
    )
    comment = models.TextField(_("motif de la décision"), blank=True)
    decided_at = models.DateTimeField(_("décidé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("décision du jury")
        verbose_name_plural = _("décisions du jury")
        ordering = ["decided_at", "pk"]
        get_latest_by = ["decided_at", "pk"]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.decided_at:%Y-%m-%d})"


class Certificate(models.Model):
    """The certificate of a candidate's certified levels, verifiable by its code."""

    candidate = models.OneToOneField(
        Candidate, on_delete=models.PROTECT, related_name="certificate"
    )
    decision = models.ForeignKey(JuryDecision, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("code de vérification"), max_length=16, unique=True)
    # The holder's name, the levels and the framework version as certified (frozen).
    holder_name = models.CharField(_("titulaire"), max_length=300)
    levels = models.JSONField(_("niveaux certifiés"))
    framework_version = models.CharField(_("version du référentiel"), max_length=32)
    issued_at = models.DateTimeField(_("délivré le"), auto_now_add=True)
    # Position of this credential in the platform's revocation status list.
    status_index = models.PositiveIntegerField(_("rang dans la liste de statut"), unique=True)
    key_id = models.CharField(_("clé de signature"), max_length=200, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revocation_reason = models.TextField(_("motif de révocation"), blank=True)

    class Meta:
        verbose_name = _("certificat")
        verbose_name_plural = _("certificats")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class ResultShare(models.Model):
    """A candidate's certified result shown to one of their organisations (by their choice;
    stopping it hides the result again)."""

    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    shared_at = models.DateTimeField(_("partagé le"), auto_now_add=True)
    stopped_at = models.DateTimeField(_("arrêté le"), null=True, blank=True)

    class Meta:
        verbose_name = _("partage d'un résultat de certification")
        verbose_name_plural = _("partages de résultats de certification")
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "organisation"],
                condition=Q(stopped_at__isnull=True),
                name="one_active_share_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} -> {self.organisation_id}"
