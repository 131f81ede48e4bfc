"""Small request helpers shared by views."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponseNotAllowed, QueryDict
from django.urls import reverse
from django.utils import translation


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
