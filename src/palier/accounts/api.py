"""Accounts API: the signed-in user, their profile and data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.security import django_auth

from palier.accounts import services
from palier.accounts.forms import ProfileForm
from palier.accounts.models import NAME_MAX_LENGTH, User
from palier.accounts.queries import profile_values
from palier.accounts.roles import user_roles
from palier.core.errors import ApiError, ErrorOut

router = Router(tags=["accounts"], auth=django_auth)
AUTH_ERRORS = {401: ErrorOut, 403: ErrorOut, 422: ErrorOut}


class ProfileOut(Schema):
    population: str | None
    status: str
    year_of_study: int | None
    region: str
    extra_time: bool
    uses_screen_reader: bool
    learning_records_opt_out: bool


class MeOut(Schema):
    email: str
    first_name: str
    last_name: str
    email_confirmed: bool
    roles: list[str]
    profile: ProfileOut


class ProfilePatch(Schema):
    """Fields to change; omitted fields keep their value."""

    first_name: str | None = Field(None, max_length=NAME_MAX_LENGTH)
    last_name: str | None = Field(None, max_length=NAME_MAX_LENGTH)
    population: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=32)
    year_of_study: int | None = None
    region: str | None = Field(None, max_length=8)
    extra_time: bool | None = None
    uses_screen_reader: bool | None = None
    learning_records_opt_out: bool | None = None


def _me(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email_confirmed": user.email_confirmed,
        "roles": sorted(user_roles(user)),
        "profile": profile_values(user),
    }


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="The signed-in user")
def get_me(request: HttpRequest) -> dict[str, Any]:
    return _me(request.user)


@router.patch(
    "/me/profile",
    response={200: MeOut, **AUTH_ERRORS},
    summary="Change the signed-in user's name and learner profile",
)
def patch_my_profile(request: HttpRequest, payload: ProfilePatch) -> dict[str, Any]:
    user = request.user
    current = {"first_name": user.first_name, "last_name": user.last_name, **profile_values(user)}
    changes = payload.dict(exclude_unset=True)
    merged = {
        key: ("" if value is None else value)
        for key, value in {**current, **changes}.items()
        if value is not False  # an unchecked box is absent from form data
    }
    form = ProfileForm(merged)
    if not form.is_valid():
        raise ApiError(
            422,
            "invalid_input",
            _("Certaines valeurs sont invalides."),
            {field: [str(message) for message in errors] for field, errors in form.errors.items()},
        )
    services.update_profile(user, **form.cleaned_data)
    return _me(user)


@router.get(
    "/me/export",
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Everything Palier stores about the signed-in user",
)
def export_my_data(request: HttpRequest) -> dict[str, Any]:
    return services.export_personal_data(request.user)
