"""Organisations, their memberships (admin or member), invitations and API tokens.

These tables were created by the accounts app and moved here (docs/adr/0010); the
migrations renamed them to organisations_* with their rows.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import Region
from palier.accounts.models import User
from palier.core.i18n import localized
from palier.organisations.choices import MembershipRole, OrganisationType


class Organisation(models.Model):
    """A university, an institute, a training provider or an employer, with its staff."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    type = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    region = models.CharField(_("région"), max_length=8, choices=Region.choices, blank=True)
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)
    description_fr = models.TextField(_("présentation (français)"), blank=True)
    description_en = models.TextField(_("présentation (anglais)"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    members = models.ManyToManyField(
        User, through="Membership", related_name="organisations", verbose_name=_("membres")
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def description(self) -> str:
        return localized(self, "description")


class Membership(models.Model):
    """A user's place in an organisation's staff: admin (manages) or member (reads)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("utilisateur")
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(
        _("rôle"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("membre d'une organisation")
        verbose_name_plural = _("membres des organisations")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="unique_membership_per_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.organisation_id} ({self.role})"

    @property
    def is_admin(self) -> bool:
        """True for an organisation admin: the one test of the role outside queries."""
        return self.role == MembershipRole.ADMIN


class Invitation(models.Model):
    """An e-mail invitation to join an organisation's staff, accepted through a signed link."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(
        _("rôle"), max_length=16, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invité par")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=models.Q(accepted_at__isnull=True),
                name="one_pending_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation_id}"


class OrganisationToken(models.Model):
    """An API token scoped to one organisation. Only its SHA-256 digest is stored; the token
    is shown once, at creation."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("préfixe"), max_length=12)
    digest = models.CharField(_("empreinte"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
