"""LTI Advantage services over the network: a score to a line item (AGS), a course roster
(NRPS). pylti1p3 gets the access token (a client assertion signed with Palier's key) and
makes the calls."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import fmean
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from django.core.cache import cache
from pylti1p3.grade import Grade
from pylti1p3.names_roles import NamesRolesProvisioningService
from pylti1p3.service_connector import ServiceConnector

from palier.assessments.results import result_of
from palier.integrations.lti.launches import SCOPE_SCORE
from palier.integrations.lti.models import Course, GradePassback
from palier.integrations.lti.tool import ToolRegistration

# Seconds Palier waits for a platform's answer before giving up (the task retries later).
REQUEST_TIMEOUT_SECONDS = 20
# Seconds an access token is reused before its announced expiry.
TOKEN_MARGIN_SECONDS = 30


class _TimedSession(requests.Session):
    def request(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        kwargs.setdefault("timeout", REQUEST_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


class Connector(ServiceConnector):
    """pylti1p3's service connector with access tokens cached per platform (its Django one
    keys them by scope only, which would hand one platform's token to another)."""

    def __init__(self, registration: ToolRegistration) -> None:
        super().__init__(registration, requests_session=_TimedSession())
        self._platform_key = f"{registration.platform.pk}"

    def _cache_key(self, scope_key: str) -> str:
        return f"lti-access-token-{self._platform_key}-{scope_key}"

    def _get_cached_access_token(self, scope_key: str) -> str | None:
        return cache.get(self._cache_key(scope_key))

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        lifetime = int(expires_in) - TOKEN_MARGIN_SECONDS
        if lifetime > 0:
            cache.set(self._cache_key(scope_key), access_token, lifetime)


SCOPE_ROSTER = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER_ROLE = "Learner"


def score_of(grade: GradePassback, maximum: float) -> tuple[float, str]:
    """The mean level over the shared areas, scaled to `maximum`, and the comment listing the
    level per area ("D1 : niveau 3 sur 5 ; ...")."""
    from django.utils.translation import gettext as _

    participation = grade.participation
    areas = (participation.snapshot or {}).get("areas") or {}
    result = result_of(participation.attempt) if participation.attempt else None
    levels_count = max(
        (len(measure.level_probabilities) for measure in (result.areas if result else ())),
        default=0,
    )
    if not areas or levels_count == 0:
        raise ValueError("no shared levels")
    levels = {code: int(values["level"]) for code, values in sorted(areas.items())}
    score = round(fmean(levels.values()) / levels_count * maximum, 2)
    comment = " ; ".join(
        _("%(area)s : niveau %(level)s sur %(count)s")
        % {"area": code, "level": level, "count": levels_count}
        for code, level in levels.items()
    )
    return score, comment


def post_score(grade: GradePassback) -> tuple[float, float]:
    """Send the score to the line item; returns (score given, maximum). Raises on failure."""
    registration = ToolRegistration(grade.account.platform)
    connector = Connector(registration)
    lineitem = connector.make_service_request(
        [SCOPE_SCORE, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"],
        grade.lineitem_url,
        accept="application/vnd.ims.lis.v2.lineitem+json",
    )
    maximum = float((lineitem.get("body") or {}).get("scoreMaximum") or 100)
    score, comment = score_of(grade, maximum)
    payload = (
        Grade()
        .set_score_given(score)
        .set_score_maximum(maximum)
        .set_timestamp(datetime.now(UTC).isoformat())
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(grade.account.subject)
        .set_comment(comment)
    )
    connector.make_service_request(
        [SCOPE_SCORE],
        scores_url(grade.lineitem_url),
        is_post=True,
        data=payload.get_value(),
        content_type="application/vnd.ims.lis.v1.score+json",
        accept="application/json",
    )
    return score, maximum


def scores_url(lineitem_url: str) -> str:
    """The line item's score endpoint: its path plus /scores, query kept (AGS 2.0, 3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def roster(course: Course) -> list[dict[str, Any]]:
    """The course's active learners from the platform (all pages)."""
    registration = ToolRegistration(course.platform)
    service = NamesRolesProvisioningService(
        Connector(registration),
        {"context_memberships_url": course.memberships_url, "service_versions": ["2.0"]},
    )
    members = service.get_members()
    return [
        member
        for member in members
        if member.get("status", "Active") == "Active"
        and any(str(role).rsplit("#", 1)[-1] == LEARNER_ROLE for role in member.get("roles", []))
    ]
