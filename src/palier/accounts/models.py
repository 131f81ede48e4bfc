"""Users (e-mail login), learner profiles, platform roles."""

from __future__ import annotations

import uuid

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY, LearnerStatus, Region
from palier.accounts.roles import Role

NAME_MAX_LENGTH = 150


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("email_confirmed_at", timezone.now())
        user = self.create_user(email, password, **fields)
        RoleAssignment.objects.get_or_create(user=user, role=Role.ADMINISTRATOR)
        return user


class User(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Logs in with an e-mail address.

    `pseudonym` is a random identifier that outlives erasure: statistics keep it, and never
    the e-mail or the names.
    """

    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=NAME_MAX_LENGTH, blank=True)
    last_name = models.CharField(_("nom"), max_length=NAME_MAX_LENGTH, blank=True)
    pseudonym = models.UUIDField(_("pseudonyme"), default=uuid.uuid4, unique=True, editable=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à la gestion"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmé le"), null=True, blank=True)
    erased_at = models.DateTimeField(_("effacé le"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email

    @property
    def email_confirmed(self) -> bool:
        return self.email_confirmed_at is not None


class RoleAssignment(models.Model):
    """A platform role granted to a user (learner is implicit and never stored)."""

    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("utilisateur"),
    )
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(_("attribué le"), auto_now_add=True)

    class Meta:
        verbose_name = _("rôle attribué")
        verbose_name_plural = _("rôles attribués")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.role}"


class ThrottleEvent(models.Model):
    """One throttled action (an account e-mail asked for), counted under a key: a keyed
    digest of an e-mail address or of a client address, never the address itself."""

    key = models.CharField(_("clé"), max_length=80)
    at = models.DateTimeField(_("le"), default=timezone.now)

    class Meta:
        verbose_name = _("action limitée")
        verbose_name_plural = _("actions limitées")
        indexes = [models.Index(fields=["key", "at"], name="throttle_key_at")]

    def __str__(self) -> str:
        return f"{self.key} at {self.at:%Y-%m-%d %H:%M}"


class LearnerProfile(models.Model):
    """What a learner tells about their situation; it picks their framework targets."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="profile", verbose_name=_("utilisateur")
    )
    population = models.ForeignKey(
        "frameworks.Population",
        verbose_name=_("public"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("situation"), max_length=32, choices=LearnerStatus.choices, blank=True
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("année de formation"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_YEAR_OF_STUDY)],
    )
    region = models.CharField(_("région"), max_length=8, choices=Region.choices, blank=True)
    extra_time = models.BooleanField(
        _("je bénéficie d'un temps majoré (tiers-temps)"), default=False
    )
    uses_screen_reader = models.BooleanField(_("j'utilise un lecteur d'écran"), default=False)
    # Read by the xAPI integration: when set, none of the learner's activity is recorded.
    learning_records_opt_out = models.BooleanField(
        _("je refuse l'envoi de mes traces d'apprentissage (xAPI)"), default=False
    )
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("profil d'apprenant")
        verbose_name_plural = _("profils d'apprenants")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_of_study__isnull=True)
                | models.Q(year_of_study__gte=1, year_of_study__lte=MAX_YEAR_OF_STUDY),
                name="year_of_study_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"profile of user {self.user_id}"
