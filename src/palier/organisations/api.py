"""Organisations API: the caller's organisations, for their staff (session) or an
organisation token. The authentication and error responses of every staff operation (here
and in the campaigns API) are defined here, once."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth

from palier.core.errors import ErrorOut
from palier.organisations.access import request_token
from palier.organisations.tokens import organisation_token_auth

router = Router(tags=["organisations"])
# A token first: a request that sends one means it (an unknown token answers 401).
STAFF_AUTH = [organisation_token_auth, django_auth]
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


class OrganisationOut(Schema):
    slug: str
    name: str
    type: str
    region: str
    role: Literal["admin", "member", "token"]


@router.get(
    "/organisations",
    auth=STAFF_AUTH,
    response={200: list[OrganisationOut], **ERRORS},
    summary="The caller's organisations (a token: its own organisation)",
)
def list_organisations(request: HttpRequest) -> list[dict[str, Any]]:
    """A member's organisations with their role; a token's own organisation."""
    token = request_token(request)
    if token is not None:
        rows = [(token.organisation, "token")]
    else:
        memberships = request.user.memberships.select_related("organisation").order_by(
            "organisation__name"
        )
        rows = [(membership.organisation, membership.role) for membership in memberships]
    return [
        {
            "slug": organisation.slug,
            "name": organisation.name,
            "type": organisation.type,
            "region": organisation.region,
            "role": role,
        }
        for organisation, role in rows
    ]
