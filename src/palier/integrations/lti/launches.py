"""What a validated launch does: where the learner or the instructor lands.

A resource link carries, in its custom parameters (set when a teacher inserted it by deep
linking), either a campaign code (`palier_campaign`) or areas of the positioning test
(`palier_areas`, comma-separated; empty means all areas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.assessments import queries as assessment_queries
from palier.assessments.services import AssessmentError, start_attempt
from palier.campaigns.codes import normalise
from palier.campaigns.models import Campaign, Participation
from palier.campaigns.services import CampaignError, join_campaign, start_campaign_test
from palier.integrations.lti import services
from palier.integrations.lti.models import Platform, PlatformAccount
from palier.organisations.models import Membership

CLAIM_CUSTOM = "https://purl.imsglobal.org/spec/lti/claim/custom"
CLAIM_ROLES = "https://purl.imsglobal.org/spec/lti/claim/roles"
CLAIM_AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
CLAIM_MESSAGE_TYPE = "https://purl.imsglobal.org/spec/lti/claim/message_type"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
CUSTOM_CAMPAIGN = "palier_campaign"
CUSTOM_AREAS = "palier_areas"
# Context roles that make someone teach the course (LTI 1.3 vocabulary, short or full form).
TEACHING_ROLES = ("Instructor", "Administrator", "ContentDeveloper", "Mentor")


@dataclass(frozen=True)
class Landing:
    """Where the launch sends the person: a URL, or a refusal page (status and message)."""

    url: str = ""
    status: int = 200
    message: str = ""


def is_teacher(claims: dict[str, Any]) -> bool:
    roles = claims.get(CLAIM_ROLES) or []
    return any(
        str(role).rsplit("#", 1)[-1] in TEACHING_ROLES
        and "/institution/" not in str(role)
        and "/system/" not in str(role)
        for role in roles
    )


def linked_campaign(claims: dict[str, Any]) -> Campaign | None:
    custom = claims.get(CLAIM_CUSTOM) or {}
    code = normalise(str(custom.get(CUSTOM_CAMPAIGN) or ""))
    if not code:
        return None
    return Campaign.objects.select_related("organisation").filter(code=code).first()


def linked_areas(claims: dict[str, Any]) -> list[str]:
    custom = claims.get(CLAIM_CUSTOM) or {}
    return [code.strip() for code in str(custom.get(CUSTOM_AREAS) or "").split(",") if code]


def enter(user: User, platform: Platform, claims: dict[str, Any]) -> Landing:
    """Where a resource-link launch lands (the account is signed in already)."""
    campaign = linked_campaign(claims)
    custom = claims.get(CLAIM_CUSTOM) or {}
    if custom.get(CUSTOM_CAMPAIGN) and campaign is None:
        return Landing(status=404, message=_("Cette campagne n'existe plus."))
    services.remember_course(platform, claims, campaign)
    if is_teacher(claims):
        return _instructor(user, campaign)
    if campaign is None:
        return _positioning_test(user, linked_areas(claims))
    return _learner(user, platform, claims, campaign)


def _instructor(user: User, campaign: Campaign | None) -> Landing:
    if campaign is None:
        return Landing(url=reverse("assessments:space"))
    if not Membership.objects.filter(user=user, organisation=campaign.organisation).exists():
        return Landing(
            status=403,
            message=_(
                "Le tableau de bord de cette campagne est réservé à l'équipe de l'organisme "
                "qui la mène."
            ),
        )
    return Landing(
        url=reverse("organisations:dashboard", args=[campaign.organisation.slug, campaign.pk])
    )


def _positioning_test(user: User, areas: list[str]) -> Landing:
    ongoing = assessment_queries.in_progress(user)
    if ongoing is not None:
        return Landing(url=reverse("assessments:question", args=[ongoing.pk]))
    try:
        attempt = start_attempt(user, areas or None)
    except AssessmentError:
        return Landing(url=reverse("assessments:space"))
    return Landing(url=reverse("assessments:question", args=[attempt.pk]))


def _learner(user: User, platform: Platform, claims: dict[str, Any], campaign: Campaign) -> Landing:
    try:
        participation = join_campaign(user, campaign)
    except CampaignError as error:
        if error.code == "invalid_input":  # the campaign asks for an identifier first
            return Landing(url=reverse("campaigns:join", args=[campaign.code]))
        return Landing(status=error.status, message=error.message)
    ags = claims.get(CLAIM_AGS) or {}
    if ags.get("lineitem") and SCOPE_SCORE in (ags.get("scope") or []):
        account = PlatformAccount.objects.get(platform=platform, subject=str(claims["sub"]))
        grade = services.owe_grade(
            participation,
            account,
            str(claims.get(services.CLAIM_DEPLOYMENT, "")),
            str(ags["lineitem"]),
        )
        if participation.status == Participation.Status.SHARED and grade.tries == 0:
            # Shared before this link existed (launched again from another course).
            from palier.integrations.lti.tasks import queue_grade

            transaction.on_commit(lambda: queue_grade(grade.pk))
    participation_url = reverse("campaigns:participation", args=[participation.pk])
    if campaign.kind != Campaign.Kind.ASSESSMENT:
        return Landing(url=participation_url)
    try:
        attempt = start_campaign_test(participation)
    except CampaignError:  # done already, another test in progress, closed: its own page says
        return Landing(url=participation_url)
    return Landing(url=reverse("assessments:question", args=[attempt.pk]))
