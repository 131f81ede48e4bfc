"""Platform registrations, their deployments, the accounts they launch, and the grades owed.

Nothing secret is stored: the platform's keys are public (its JWKS URL or a public key set),
Palier's own signing keys come from the environment (keys.py).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

URL_MAX_LENGTH = 500
CLAIM_MAX_LENGTH = 255


class Platform(models.Model):
    """A learning platform registered by an administrator (one issuer + client id)."""

    name = models.CharField(_("nom"), max_length=200)
    issuer = models.CharField(_("émetteur (issuer)"), max_length=CLAIM_MAX_LENGTH)
    client_id = models.CharField(_("identifiant client (client_id)"), max_length=CLAIM_MAX_LENGTH)
    auth_login_url = models.URLField(
        _("adresse d'authentification (OIDC)"), max_length=URL_MAX_LENGTH
    )
    auth_token_url = models.URLField(_("adresse des jetons d'accès"), max_length=URL_MAX_LENGTH)
    key_set_url = models.URLField(
        _("adresse des clés publiques (JWKS)"), max_length=URL_MAX_LENGTH, blank=True
    )
    key_set = models.JSONField(
        _("clés publiques (JWKS)"),
        null=True,
        blank=True,
        help_text=_("Seulement si la plateforme ne publie pas d'adresse JWKS."),
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisme"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("L'établissement qui utilise cette plateforme, s'il n'y en a qu'un."),
    )
    is_active = models.BooleanField(_("en service"), default=True)
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur"), null=True, blank=True)
    last_error_message = models.CharField(_("message d'erreur"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("plateforme LTI")
        verbose_name_plural = _("plateformes LTI")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_once"),
            models.CheckConstraint(
                condition=~models.Q(key_set_url="") | models.Q(key_set__isnull=False),
                name="lti_platform_has_keys",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Deployment(models.Model):
    """One deployment of Palier on the platform (a site or a course category)."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), on_delete=models.CASCADE, related_name="deployments"
    )
    deployment_id = models.CharField(_("identifiant de déploiement"), max_length=CLAIM_MAX_LENGTH)

    class Meta:
        verbose_name = _("déploiement")
        verbose_name_plural = _("déploiements")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id"], name="lti_deployment_once"
            ),
        ]

    def __str__(self) -> str:
        return self.deployment_id


class PlatformAccount(models.Model):
    """A platform user (issuer + subject) linked to a Palier account."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), on_delete=models.CASCADE, related_name="accounts"
    )
    subject = models.CharField(_("identifiant sur la plateforme"), max_length=CLAIM_MAX_LENGTH)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="lti_accounts",
    )
    linked_at = models.DateTimeField(_("lié le"), default=timezone.now)

    class Meta:
        verbose_name = _("compte lié")
        verbose_name_plural = _("comptes liés")
        constraints = [
            models.UniqueConstraint(fields=["platform", "subject"], name="lti_account_once"),
        ]

    def __str__(self) -> str:
        return f"{self.platform_id}:{self.user_id}"


class LaunchNonce(models.Model):
    """A nonce handed out at login initiation; a launch consumes it (deleted): replays fail."""

    value = models.CharField(_("valeur"), max_length=128, unique=True)
    created_at = models.DateTimeField(_("créé le"), default=timezone.now)

    def __str__(self) -> str:
        return f"nonce {self.pk}"


class Course(models.Model):
    """A platform course (LTI context) seen at a launch, with its roster service address."""

    platform = models.ForeignKey(
        Platform, verbose_name=_("plateforme"), on_delete=models.CASCADE, related_name="courses"
    )
    deployment_id = models.CharField(_("identifiant de déploiement"), max_length=CLAIM_MAX_LENGTH)
    context_id = models.CharField(_("identifiant du cours"), max_length=CLAIM_MAX_LENGTH)
    title = models.CharField(_("titre"), max_length=CLAIM_MAX_LENGTH, blank=True)
    memberships_url = models.URLField(
        _("adresse de la liste du cours"), max_length=URL_MAX_LENGTH, blank=True
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campagne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    roster_imported_at = models.DateTimeField(_("liste importée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("cours")
        verbose_name_plural = _("cours")
        constraints = [
            models.UniqueConstraint(fields=["platform", "context_id"], name="lti_course_once"),
        ]

    def __str__(self) -> str:
        return self.title or self.context_id


class GradePassback(models.Model):
    """A score owed to a platform's line item for one participation, and how sending it went."""

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        SENT = "sent", _("Envoyée")
        FAILED = "failed", _("Échec répété")

    participation = models.ForeignKey(
        "campaigns.Participation",
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    account = models.ForeignKey(
        PlatformAccount, verbose_name=_("compte lié"), on_delete=models.CASCADE, related_name="+"
    )
    deployment_id = models.CharField(_("identifiant de déploiement"), max_length=CLAIM_MAX_LENGTH)
    lineitem_url = models.URLField(_("adresse de la colonne de notes"), max_length=URL_MAX_LENGTH)
    status = models.CharField(
        _("statut"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    tries = models.PositiveSmallIntegerField(_("essais"), default=0)
    score_given = models.FloatField(_("note envoyée"), null=True, blank=True)
    score_maximum = models.FloatField(_("note maximale"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur"), null=True, blank=True)
    last_error_message = models.CharField(_("message d'erreur"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("note à transmettre")
        verbose_name_plural = _("notes à transmettre")
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "lineitem_url"], name="lti_grade_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.participation_id} → {self.status}"
