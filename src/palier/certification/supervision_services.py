"""Writes of the supervision page that are not exam-day operations: opening the page with
the session's invigilator password.

The password is checked against its hash; every try counts in a limiter keyed by the person
and the session, so a mistyped password never locks anyone else out of the room's page.
"""

from __future__ import annotations

import logging

from django.contrib.auth.hashers import check_password
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.accounts.throttle import allow, throttle_key
from palier.certification.errors import CertificationError
from palier.certification.models import Session

logger = logging.getLogger(__name__)

# Password tries per person and per session within an hour.
PASSWORD_TRIES_PER_HOUR = 10


def unlock_supervision(user: User, session: Session, password: str) -> bool:
    """True when `password` is the session's invigilator password. Raises CertificationError
    (429) once the person made too many tries on this session within the hour."""
    key = throttle_key("certification-supervision", f"{user.pk}:{session.pk}")
    if not allow([(key, PASSWORD_TRIES_PER_HOUR)]):
        logger.warning("supervision password tries exhausted (session %s)", session.pk)
        raise CertificationError(
            429,
            "too_many_attempts",
            _("Trop d'essais de mot de passe : réessayez dans une heure."),
        )
    if not session.invigilator_password or not check_password(
        password, session.invigilator_password
    ):
        logger.info("wrong supervision password (session %s)", session.pk)
        return False
    return True
