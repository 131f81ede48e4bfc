"""Platform roles and the one place where role checks live.

Every user is a learner. Other roles are granted explicitly (RoleAssignment). Views declare
what they need with `role_required`, API operations with `require_role`; both call `has_role`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from palier.accounts.models import User


class Role(models.TextChoices):
    LEARNER = "learner", _("Apprenant")
    AUTHOR = "author", _("Auteur d'items")
    PSYCHOMETRICIAN = "psychometrician", _("Psychométricien")
    INVIGILATOR = "invigilator", _("Surveillant de certification")
    STEERING = "steering", _("Pilotage national")
    FUNDER = "funder", _("Financeur (lecture seule)")
    ADMINISTRATOR = "administrator", _("Administrateur de la plateforme")


def user_roles(user: User | Any) -> frozenset[str]:
    """The roles of a user (learner for any active account), cached on the instance."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_palier_roles", None)
    if cached is None:
        granted = set(user.role_assignments.values_list("role", flat=True))
        cached = frozenset({Role.LEARNER.value, *granted})
        user._palier_roles = cached
    return cached


def has_role(user: User | Any, *roles: str) -> bool:
    """True when the user holds at least one of `roles`."""
    return bool(user_roles(user) & set(roles))


def role_required(*roles: str) -> Callable:
    """View decorator: anonymous users go to the login page, others without the role get 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                # Imported here: auth views need the user model, which imports this module.
                from django.contrib.auth.views import redirect_to_login

                return redirect_to_login(request.get_full_path())
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator


def require_role(request: HttpRequest, *roles: str) -> None:
    """For API operations (already authenticated): raise PermissionDenied without the role."""
    if not has_role(request.user, *roles):
        raise PermissionDenied
