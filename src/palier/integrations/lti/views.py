"""LTI endpoints: the tool's key set, login initiation, launch, account linking, deep linking.

The platform-facing endpoints are public and CSRF-exempt (the platform posts a signed
id_token instead); every refusal is logged with its reason and answered with a 4xx page.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.message_launch import MessageLaunch

from palier.integrations.lti import deep_linking, keys, launches, services
from palier.integrations.lti.models import Platform
from palier.integrations.lti.tool import LaunchRefused, login_redirect, validate_launch

logger = logging.getLogger(__name__)

SESSION_PENDING = "lti_pending_link"
SESSION_DEEP_LINK = "lti_deep_link"
MESSAGE_DEEP_LINK = "LtiDeepLinkingRequest"
LOGIN_BACKEND = "palier.accounts.backends.AccountBackend"


def _refused(request: HttpRequest, reason: str, status: int = 400) -> HttpResponse:
    logger.warning("LTI request refused: %s", reason)
    return render(request, "integrations/lti/refused.html", {"status": status}, status=status)


@login_not_required
@require_GET
def jwks(request: HttpRequest) -> HttpResponse:
    if not keys.enabled():
        raise Http404
    return JsonResponse(keys.jwks())


@login_not_required
@csrf_exempt
@require_http_methods(["GET", "POST"])
def login_initiation(request: HttpRequest) -> HttpResponse:
    try:
        return login_redirect(request, request.build_absolute_uri(reverse("lti:launch")))
    except LaunchRefused as refusal:
        return _refused(request, f"login initiation: {refusal.reason}")


@login_not_required
@csrf_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    try:
        validated = validate_launch(request)
    except LaunchRefused as refusal:
        services.record_error(_claimed_platform(request), f"launch refused: {refusal.reason}")
        return _refused(request, f"launch: {refusal.reason}")
    platform, claims = validated.platform, validated.claims()
    services.record_success(platform)
    user = services.account_for_launch(platform, claims)
    if user is None:
        # An account has this e-mail: the person signs in to it and confirms the link.
        request.session[SESSION_PENDING] = {"platform": platform.pk, "claims": claims}
        return redirect("lti:link")
    login(request, user, backend=LOGIN_BACKEND)
    return _continue(request, user, platform, claims)


def _continue(request: HttpRequest, user: Any, platform: Platform, claims: dict) -> HttpResponse:
    if claims.get(launches.CLAIM_MESSAGE_TYPE) == MESSAGE_DEEP_LINK:
        if not launches.is_teacher(claims):
            return _refused(request, "deep linking by a non-teacher", status=403)
        request.session[SESSION_DEEP_LINK] = {
            "platform": platform.pk,
            "deployment_id": str(claims.get(services.CLAIM_DEPLOYMENT, "")),
            "settings": claims.get(deep_linking.CLAIM_SETTINGS) or {},
        }
        return redirect("lti:deep_link")
    landing = launches.enter(user, platform, claims)
    if landing.url:
        return redirect(landing.url)
    logger.info("LTI launch stopped with status %s", landing.status)
    return render(
        request,
        "integrations/lti/refused.html",
        {"status": landing.status, "message": landing.message},
        status=landing.status,
    )


def _claimed_platform(request: HttpRequest) -> Platform | None:
    """The platform a refused launch claims to come from (for its status line), if any."""
    token = request.POST.get("id_token", "")
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        body = json.loads(MessageLaunch.urlsafe_b64decode(parts[1]))
        audience = body.get("aud")
        client_id = audience[0] if isinstance(audience, list) and audience else audience
        return Platform.objects.filter(
            issuer=str(body.get("iss")), client_id=str(client_id)
        ).first()
    except (ValueError, TypeError, AttributeError):
        return None


def _pending(request: HttpRequest, key: str) -> tuple[dict[str, Any], Platform | None]:
    """What a launch left in the session for the next page, with its (active) platform."""
    pending = request.session.get(key) or {}
    platform = Platform.objects.filter(pk=pending.get("platform"), is_active=True).first()
    return pending, platform


@require_http_methods(["GET", "POST"])
def link(request: HttpRequest) -> HttpResponse:
    """Confirm that the platform account is the signed-in person's (sign in first)."""
    pending, platform = _pending(request, SESSION_PENDING)
    if platform is None:
        return _refused(request, "no pending account link", status=404)
    if request.method == "POST":
        del request.session[SESSION_PENDING]
        if request.POST.get("confirm") != "yes":
            return render(request, "integrations/lti/link_declined.html")
        claims = pending["claims"]
        services.link_account(request.user, platform, str(claims["sub"]))
        return _continue(request, request.user, platform, claims)
    return render(request, "integrations/lti/link.html", {"platform": platform})


@require_http_methods(["GET", "POST"])
def deep_link(request: HttpRequest) -> HttpResponse:
    pending, platform = _pending(request, SESSION_DEEP_LINK)
    if platform is None:
        return _refused(request, "no deep linking request", status=404)
    form = deep_linking.ChoiceForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        del request.session[SESSION_DEEP_LINK]
        resource = deep_linking.resource_for(
            form.cleaned_data, request.build_absolute_uri(reverse("lti:launch"))
        )
        token = deep_linking.response_jwt(
            platform, pending["deployment_id"], pending["settings"], resource
        )
        return_url = str(pending["settings"].get("deep_link_return_url", ""))
        response = render(
            request, "integrations/lti/deep_link_return.html", {"url": return_url, "jwt": token}
        )
        origin = urlsplit(return_url)
        # The page posts the signed answer to the platform: allow that one form target.
        response._csp_update = {"form-action": [f"{origin.scheme}://{origin.netloc}"]}  # type: ignore[attr-defined]
        return response
    return render(request, "integrations/lti/deep_link.html", {"form": form, "platform": platform})


@require_http_methods(["GET", "POST"])
def campaign_courses(request: HttpRequest, slug: str, campaign_id: int) -> HttpResponse:
    """Staff page of a campaign's platform courses: import a roster, see failing scores."""
    from palier.campaigns.access import access_campaign
    from palier.campaigns.services import CampaignError
    from palier.integrations.lti.models import Course
    from palier.integrations.lti.queries import failing_grades

    campaign, membership = access_campaign(request.user, slug, campaign_id)
    courses = list(Course.objects.filter(campaign=campaign).select_related("platform"))
    report, error = None, ""
    if request.method == "POST":
        if not membership.is_admin:
            return _refused(request, "roster import by a non-admin", status=403)
        course = next((c for c in courses if str(c.pk) == request.POST.get("course")), None)
        if course is None or not course.memberships_url:
            return _refused(request, "unknown course or no roster service", status=404)
        try:
            report = services.import_roster(course, campaign)
        except CampaignError as refusal:
            error = refusal.message
        except Exception as failure:  # the platform failed or refused: say it, keep data
            logger.warning("LTI roster import failed: %s", type(failure).__name__)
            services.record_error(course.platform, f"roster not read: {type(failure).__name__}")
            error = _("La plateforme n'a pas transmis la liste. Réessayez plus tard.")
    return render(
        request,
        "integrations/lti/campaign_courses.html",
        {
            "campaign": campaign,
            "membership": membership,
            "courses": courses,
            "failing": failing_grades(campaign.pk),
            "report": report,
            "error": error,
        },
        status=422 if error else 200,
    )
