"""Reads of the LTI integration: status lines for administrators, grades that keep failing."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from palier.integrations.lti import keys
from palier.integrations.lti.models import GradePassback, Platform
from palier.integrations.status import IntegrationStatus


def status_lines() -> list[IntegrationStatus]:
    """One line per registered platform, or one line saying LTI is off or has no platform."""
    if not keys.enabled():
        return [IntegrationStatus(name=_("LTI 1.3"), configured=False)]
    platforms = list(Platform.objects.order_by("name"))
    if not platforms:
        return [
            IntegrationStatus(
                name=_("LTI 1.3"),
                configured=False,
                manage_url=reverse("admin:integrations_lti_platform_add"),
            )
        ]
    return [
        IntegrationStatus(
            name=_("LTI 1.3 : %(name)s") % {"name": platform.name},
            configured=platform.is_active,
            last_success=platform.last_success_at,
            last_error=platform.last_error_at,
            last_error_message=platform.last_error_message,
            manage_url=reverse("admin:integrations_lti_platform_change", args=[platform.pk]),
        )
        for platform in platforms
    ]


def failing_grades(campaign_id: int) -> list[GradePassback]:
    """Scores of a campaign that could not be sent after every retry, for its staff."""
    return list(
        GradePassback.objects.filter(
            participation__campaign_id=campaign_id, status=GradePassback.Status.FAILED
        )
        .select_related("participation__user", "account__platform")
        .order_by("last_error_at")
    )
