"""Who may sit a certification (checked at enrolment and again at the start of the test).

- The account's e-mail address is confirmed (the certificate is tied to a reachable person).
- The candidate holds no valid certificate of the same framework version issued less than
  12 months ago (`RECERTIFICATION_DAYS`), unless the centre overrides it with a reason,
  recorded on the candidacy.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.certification.errors import CertificationError
from palier.certification.models import Certificate
from palier.frameworks.models import Framework

RECERTIFICATION_DAYS = 365


def recent_certificate(user: User, framework: Framework) -> Certificate | None:
    """The candidate's valid certificate of `framework`'s version issued in the last 12
    months, if any."""
    since = timezone.now() - timedelta(days=RECERTIFICATION_DAYS)
    return (
        Certificate.objects.filter(
            candidate__user=user,
            candidate__session__framework=framework,
            issued_at__gte=since,
            revoked_at__isnull=True,
        )
        .order_by("-issued_at")
        .first()
    )


def check_eligibility(user: User, framework: Framework, *, override_reason: str = "") -> None:
    """Raise CertificationError (409) when `user` may not sit a certification of
    `framework`; a recent certificate is accepted with a non-empty `override_reason`."""
    if not user.email_confirmed:
        raise CertificationError(
            409,
            "email_not_confirmed",
            _("L'adresse e-mail du candidat n'est pas confirmée."),
        )
    recent = recent_certificate(user, framework)
    if recent is not None and not override_reason.strip():
        raise CertificationError(
            409,
            "recently_certified",
            _(
                "Ce candidat a déjà été certifié le %(date)s sur cette version du référentiel : "
                "une nouvelle certification demande une dérogation motivée."
            )
            % {"date": date_format(timezone.localtime(recent.issued_at), "DATE_FORMAT")},
        )
