"""The outbox of xAPI statements and the state of the link with the LRS.

A statement row is written in the transaction of the learner's action (so it exists exactly
when the action does) and sent later by a background task. Its id is the statement's id,
generated once: a retry sends the same id, which the LRS stores only once.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("à envoyer")
        SENT = "sent", _("envoyée")
        # Failed Palier's own validation: kept with the error, never sent.
        INVALID = "invalid", _("invalide")
        # Refused by the LRS (a 4xx other than a conflict): kept with the error, not retried.
        REJECTED = "rejected", _("refusée par l'entrepôt")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("apprenant"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    verb = models.CharField(_("verbe"), max_length=200)
    # The statement as sent (pseudonymous actor, no answer text).
    payload = models.JSONField(_("déclaration"))
    status = models.CharField(
        _("état"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    tries = models.PositiveIntegerField(_("envois tentés"), default=0)
    next_try_at = models.DateTimeField(_("prochain envoi"), null=True, blank=True)
    error = models.CharField(_("dernière erreur"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("déclaration xAPI")
        verbose_name_plural = _("déclarations xAPI")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["status", "next_try_at"], name="xapi_statement_due"),
        ]

    def __str__(self) -> str:
        return str(self.id)


class LrsLink(models.Model):
    """The one row that tells administrators how the link with the LRS goes."""

    last_success_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)
    last_error_at = models.DateTimeField(_("dernière erreur le"), null=True, blank=True)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("lien avec l'entrepôt de traces")
        verbose_name_plural = _("lien avec l'entrepôt de traces")

    def __str__(self) -> str:
        return str(_("Entrepôt de traces (xAPI)"))
