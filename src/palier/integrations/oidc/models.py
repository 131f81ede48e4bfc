"""Linked identities, organisations' single sign-on providers, and each provider's health."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

URL_MAX_LENGTH = 500
# Provider keys: "national" for the provider configured by settings, "sso-<slug>" for an
# organisation's.
NATIONAL_KEY = "national"
KEY_MAX_LENGTH = 100
ERROR_MESSAGE_MAX_LENGTH = 300


class LinkedIdentity(models.Model):
    """An account at an OpenID provider, linked to one Palier account by (issuer, subject)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="linked_identities",
        verbose_name=_("utilisateur"),
    )
    issuer = models.CharField(_("émetteur"), max_length=URL_MAX_LENGTH)
    subject = models.CharField(_("identifiant chez le fournisseur"), max_length=255)
    provider_key = models.CharField(_("fournisseur"), max_length=KEY_MAX_LENGTH)
    linked_at = models.DateTimeField(_("relié le"), default=timezone.now)
    last_login_at = models.DateTimeField(_("dernière connexion"), null=True, blank=True)

    class Meta:
        verbose_name = _("identité reliée")
        verbose_name_plural = _("identités reliées")
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="oidc_one_account_per_identity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_key}: user {self.user_id}"


class OrganisationProvider(models.Model):
    """An organisation's identity provider, for its students' single sign-on.

    The client secret is never stored: `client_secret_env` names the environment variable
    that holds it (blank for a public client, which PKCE protects)."""

    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="sso_providers",
        verbose_name=_("organisation"),
    )
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    name = models.CharField(_("nom affiché sur le bouton"), max_length=120)
    issuer = models.URLField(_("émetteur (issuer)"), max_length=URL_MAX_LENGTH)
    client_id = models.CharField(_("identifiant client"), max_length=255)
    client_secret_env = models.CharField(
        _("variable d'environnement du secret client"),
        max_length=100,
        blank=True,
        help_text=_("Nom de la variable, jamais le secret lui-même. Vide : client public."),
    )
    scopes = models.CharField(_("portées (scopes)"), max_length=255, default="openid email profile")
    population = models.ForeignKey(
        "frameworks.Population",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("public des étudiants"),
    )
    show_on_login_page = models.BooleanField(_("bouton sur la page de connexion"), default=False)
    enabled = models.BooleanField(_("activé"), default=True)

    class Meta:
        verbose_name = _("fournisseur d'identité d'établissement")
        verbose_name_plural = _("fournisseurs d'identité d'établissement")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def key(self) -> str:
        return f"sso-{self.slug}"


class ProviderHealth(models.Model):
    """Last success and last error of one provider, for the administrators' status page."""

    provider_key = models.CharField(_("fournisseur"), max_length=KEY_MAX_LENGTH, unique=True)
    last_success_at = models.DateTimeField(_("dernier succès"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur"), null=True, blank=True)
    last_error_message = models.CharField(
        _("dernier message d'erreur"), max_length=ERROR_MESSAGE_MAX_LENGTH, blank=True
    )

    class Meta:
        verbose_name = _("état d'un fournisseur d'identité")
        verbose_name_plural = _("états des fournisseurs d'identité")

    def __str__(self) -> str:
        return self.provider_key
