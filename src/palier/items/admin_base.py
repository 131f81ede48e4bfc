"""What every model admin of the authoring site shares: permissions from platform roles,
and search across versions that lists each object once."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from palier.accounts.roles import has_role
from palier.items.workflow import AUTHORING_ROLES


class RoleAdmin(admin.ModelAdmin):
    """Permissions come from platform roles, not from Django's per-model permissions."""

    write_roles: tuple[str, ...] = AUTHORING_ROLES

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *AUTHORING_ROLES)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *AUTHORING_ROLES)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, *self.write_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, *self.write_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """A history shown on its parent's page: every field read-only, nothing added or
    deleted there (versions, comments and parameters are written by the services)."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return list(self.fields or [])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DistinctSearchAdmin(RoleAdmin):
    """Searching across versions joins several rows per object: list each object once."""

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        results, _duplicates = super().get_search_results(request, queryset, search_term)
        return results.distinct(), False
