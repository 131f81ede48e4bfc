from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from palier.accounts.roles import Role, has_role
from palier.assessments.models import EngineSettings
from palier.items.authoring_site import authoring_site


@admin.register(EngineSettings, site=authoring_site)
class EngineSettingsAdmin(admin.ModelAdmin):
    """Versioned engine settings: psychometricians add versions; a version in use by an
    attempt is never edited (a new version with a later date replaces it)."""

    list_display = [
        "version",
        "valid_from",
        "se_target",
        "min_items",
        "max_items",
        "area_correlation",
        "randomesque",
    ]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.PSYCHOMETRICIAN, Role.AUTHOR, Role.ADMINISTRATOR)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.PSYCHOMETRICIAN)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        in_use = obj is not None and obj.attempts.exists()
        return has_role(request.user, Role.PSYCHOMETRICIAN) and not in_use

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
