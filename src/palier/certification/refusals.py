"""What every certification service shares: the refusal (a logged CertificationError that
changes nothing) and the candidate row locked for a write."""

from __future__ import annotations

import logging

from palier.certification.errors import CertificationError
from palier.certification.models import Candidate

logger = logging.getLogger("palier.certification.services")


def refuse(status: int, code: str, message: str, candidate: Candidate | None = None) -> None:
    """Raise the refusal, logged with its code and the candidacy's id (no personal data)."""
    logger.warning(
        "certification request refused: %s (candidate %s)",
        code,
        candidate.pk if candidate is not None else "-",
    )
    raise CertificationError(status, code, message)


def locked_candidate(candidate: Candidate) -> Candidate:
    """The candidate's row, locked until the transaction ends, with its session."""
    return (
        Candidate.objects.select_for_update(of=("self",))
        .select_related("session", "session__framework", "user", "attempt")
        .get(pk=candidate.pk)
    )
