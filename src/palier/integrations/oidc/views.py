"""Sign-in pages: start at a provider, come back, link an existing account, sign out.

Every refusal answers a 4xx page in plain words and logs a reason code with the provider's
key: no claim, no token, no address in the logs."""

from __future__ import annotations

import logging
import re
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from palier.accounts.backends import AccountBackend
from palier.accounts.services import AccountError
from palier.core.http import posted
from palier.integrations.oidc import client, services
from palier.integrations.oidc.claims import MappedProfile, map_profile
from palier.integrations.oidc.config import Provider, provider_by_key
from palier.integrations.oidc.forms import LinkAccountForm

logger = logging.getLogger(__name__)

PENDING_SESSION_KEY = "palier_oidc_pending"
LINK_SESSION_KEY = "palier_oidc_link"
SIGNED_IN_SESSION_KEY = "palier_oidc_signed_in"
# Sign-ins started in other tabs that the session keeps at once.
MAX_PENDING = 5
BACKEND = "palier.accounts.backends.AccountBackend"
# OAuth error codes (access_denied, server_error ...): lower-case letters and underscores.
ERROR_CODE = re.compile(r"[a-z_]{1,40}")


def _absolute(name: str) -> str:
    # The provider knows one redirect address: the French one, whatever the page language.
    with translation.override(settings.LANGUAGE_CODE):
        return settings.BASE_URL + reverse(name)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _refuse(
    request: HttpRequest, provider_key: str, reason: str, message: str, status: int = 400
) -> HttpResponse:
    logger.warning("OpenID sign-in refused: provider=%s reason=%s", provider_key, reason)
    if provider_key:
        services.record_error(provider_key, reason)
    return render(request, "integrations/oidc/refused.html", {"message": message}, status=status)


def _message_for(reason: str) -> tuple[str, int]:
    if reason in {"provider_unreachable", "discovery_issuer_mismatch", "discovery_incomplete"}:
        return _("Le service de connexion ne répond pas. Réessayez dans quelques minutes."), 502
    return (
        _(
            "La réponse du service de connexion n'a pas pu être vérifiée. Recommencez depuis "
            "la page de connexion ; si cela se reproduit, prévenez l'assistance."
        ),
        400,
    )


@login_not_required
@require_GET
def start(request: HttpRequest, key: str) -> HttpResponse:
    provider = provider_by_key(key)
    if provider is None:
        raise Http404
    try:
        url, pending = client.begin(
            provider,
            _absolute("integrations_oidc:callback"),
            _safe_next(request, request.GET.get("next")),
        )
    except client.LoginRefused as refused:
        message, status = _message_for(refused.reason)
        return _refuse(request, provider.key, refused.reason, message, status)
    pendings = request.session.get(PENDING_SESSION_KEY, {})
    pendings = dict(list(pendings.items())[-(MAX_PENDING - 1) :])
    pendings[pending.state] = pending.as_dict()
    request.session[PENDING_SESSION_KEY] = pendings
    return redirect(url)


def _identity(provider: Provider, verified: client.VerifiedLogin) -> services.Identity:
    profile = map_profile(
        verified.claims,
        paths=provider.claim_paths,
        profession_populations=provider.profession_populations,
        practice_mode_statuses=provider.practice_mode_statuses,
        default_population=provider.default_population,
        default_status=provider.default_status,
    )
    return services.Identity(provider.key, verified.issuer, verified.subject, profile)


def _sign_in(
    request: HttpRequest, user: Any, provider_key: str, id_token: str, next_url: str
) -> HttpResponse:
    login(request, user, backend=BACKEND)
    request.session[SIGNED_IN_SESSION_KEY] = {"provider_key": provider_key, "id_token": id_token}
    return redirect(next_url)


@login_not_required
@require_GET
def callback(request: HttpRequest) -> HttpResponse:
    pendings = request.session.get(PENDING_SESSION_KEY, {})
    state = request.GET.get("state", "")
    if state not in pendings:
        return _refuse(
            request,
            "",
            "unknown_state",
            _(
                "Cette demande de connexion a expiré ou a déjà servi. Recommencez depuis la "
                "page de connexion."
            ),
        )
    pending = client.PendingLogin(**pendings.pop(state))
    request.session[PENDING_SESSION_KEY] = pendings
    provider = provider_by_key(pending.provider_key)
    if provider is None:
        raise Http404
    if request.GET.get("error") or not request.GET.get("code"):
        # The error code comes from the browser: logged only when it looks like one.
        error = request.GET.get("error", "no_code")
        reason = "provider_error_" + (error if ERROR_CODE.fullmatch(error) else "unrecognised")
        if request.GET.get("error") == "access_denied":
            return _refuse(request, provider.key, reason, _("La connexion a été annulée."))
        message, status = _message_for(reason)
        return _refuse(request, provider.key, reason, message, status)
    try:
        verified = client.complete(
            provider, pending, request.GET["code"], _absolute("integrations_oidc:callback")
        )
    except client.LoginRefused as refused:
        message, status = _message_for(refused.reason)
        return _refuse(request, provider.key, refused.reason, message, status)
    identity = _identity(provider, verified)
    user = services.linked_user(identity)
    if user is not None:
        if not AccountBackend().user_can_authenticate(user):
            return _refuse(
                request,
                provider.key,
                "account_inactive",
                _("Ce compte ne peut pas se connecter."),
                403,
            )
        services.touch_link(identity)
    elif services.account_with_email(identity) is not None:
        request.session[LINK_SESSION_KEY] = {
            "provider_key": provider.key,
            "issuer": identity.issuer,
            "subject": identity.subject,
            "profile": identity.profile.__dict__,
            "id_token": verified.id_token,
            "next_url": pending.next_url,
        }
        return redirect("integrations_oidc:link")
    else:
        try:
            user = services.create_account(identity)
        except AccountError:
            return _refuse(request, provider.key, "account_race", _message_for("")[0], 409)
    services.record_success(provider.key)
    return _sign_in(request, user, provider.key, verified.id_token, pending.next_url)


@login_not_required
@require_http_methods(["GET", "POST"])
def link_account(request: HttpRequest) -> HttpResponse:
    """An account has the provider's address: its owner proves it with the password once."""
    pending = request.session.get(LINK_SESSION_KEY)
    if not pending:
        return redirect("accounts:login")
    identity = services.Identity(
        pending["provider_key"],
        pending["issuer"],
        pending["subject"],
        MappedProfile(**pending["profile"]),
    )
    provider = provider_by_key(identity.provider_key)
    if provider is None:
        raise Http404
    form = LinkAccountForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request, username=identity.profile.email, password=form.cleaned_data["password"]
        )
        if user is None:
            logger.info("OpenID link refused: provider=%s reason=wrong_password", provider.key)
            form.add_error("password", _("Mot de passe incorrect."))
            status = 400
        else:
            try:
                services.link_identity(user, identity)
            except AccountError:
                return _refuse(
                    request, provider.key, "identity_already_linked", _message_for("")[0], 409
                )
            del request.session[LINK_SESSION_KEY]
            services.record_success(provider.key)
            return _sign_in(request, user, provider.key, pending["id_token"], pending["next_url"])
    context = {"form": form, "provider_name": provider.name, "email": identity.profile.email}
    return render(request, "integrations/oidc/link.html", context, status=status)


@login_not_required
@require_POST
def logout_everywhere(request: HttpRequest) -> HttpResponse:
    """Sign out of Palier and, for a provider sign-in, at the provider when it offers it."""
    signed_in = request.session.get(SIGNED_IN_SESSION_KEY) or {}
    logout(request)
    provider = provider_by_key(signed_in.get("provider_key", ""))
    if provider is not None and signed_in.get("id_token"):
        home = settings.BASE_URL + resolve_url(settings.LOGOUT_REDIRECT_URL)
        url = client.logout_url(provider, signed_in["id_token"], home)
        if url:
            return redirect(url)
    return redirect(settings.LOGOUT_REDIRECT_URL)
