"""Small request helpers shared by views."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """Form data for a POST (even an empty one, so it is validated), None for a GET."""
    return request.POST if request.method == "POST" else None
