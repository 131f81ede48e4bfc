"""Small request helpers shared by views."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed, QueryDict
from django.urls import reverse
from django.utils import translation


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client, for rate limits and lockouts.

    Without PALIER_BEHIND_PROXY it is REMOTE_ADDR: X-Forwarded-For is then written by the
    client and worth nothing. Behind PALIER_TRUSTED_PROXY_HOPS reverse proxies, each proxy
    appends the address it received the request from, so the trusted address is the one the
    outermost trusted proxy appended: the n-th from the right. Anything further left was
    sent by the client and is ignored."""
    remote = request.META.get("REMOTE_ADDR") or None
    if not settings.PALIER_BEHIND_PROXY:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    hops = settings.PALIER_TRUSTED_PROXY_HOPS
    if len(forwarded) < hops:
        # Fewer entries than trusted proxies: the request did not come through all of them.
        return remote
    return forwarded[-hops]


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data for a POST (even an empty one, so it is validated), None for a GET."""
    return request.POST if request.method == "POST" else None


def absolute_url(name: str, *args: object) -> str:
    """The absolute address of the French page `name` (for e-mails and API answers, which
    have no request to build it from)."""
    with translation.override("fr"):
        path = reverse(name, args=args)
    return f"{settings.BASE_URL}{path}"


def method_not_allowed(request: HttpRequest, *methods: str) -> HttpResponseNotAllowed | None:
    """405 unless the request uses one of `methods`. Views call it after their permission
    gate, so that outsiders get the same 404 whatever the method (nothing leaks)."""
    return None if request.method in methods else HttpResponseNotAllowed(list(methods))
