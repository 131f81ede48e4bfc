"""Back-office sites built on Django's admin, each open to some platform roles only.

- the management site (/gestion/): platform administrators;
- the authoring site (/auteur/, items app): authors, psychometricians, administrators.
Anonymous visitors are sent to Palier's login page; signed-in users without the role get 403
(Django's own admin login form is never used).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from palier.accounts.roles import Role, has_role


class RoleGatedAdminSite(AdminSite):
    required_roles: tuple[str, ...] = (Role.ADMINISTRATOR,)
    requires_staff_flag = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and (user.is_staff or not self.requires_staff_flag)
            and has_role(user, *self.required_roles)
        )

    def admin_view(self, view: Callable, cacheable: bool = False) -> Callable:
        """Signed-in users without the role get 403 at once (no detour by a login form)."""
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def gate(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.is_authenticated and not self.has_permission(request):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return gate

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            request.GET.get("next", request.get_full_path()), reverse("accounts:login")
        )


class PalierAdminSite(RoleGatedAdminSite):
    site_header = _("Palier — gestion")
    site_title = _("Palier — gestion")
    index_title = _("Gestion de la plateforme")
    required_roles = (Role.ADMINISTRATOR,)
    requires_staff_flag = True


#: The management site: Django's default admin site (see ManagementAdminConfig).
admin_site = admin.site
