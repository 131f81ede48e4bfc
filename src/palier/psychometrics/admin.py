"""Calibration runs on the authoring site, read-only, for psychometricians: the pages under
/psychometrie/ are where runs are started, reviewed and activated; this list is a way in
from the item bank."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from palier.accounts.roles import Role, has_role
from palier.items.authoring_site import authoring_site
from palier.items.panels import register_item_panel
from palier.psychometrics.item_statistics import statistics_panel
from palier.psychometrics.models import CalibrationRun

# Psychometricians see the item's statistics on its page in the authoring site.
register_item_panel(statistics_panel)


@admin.register(CalibrationRun, site=authoring_site)
class CalibrationRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "framework", "scope", "status", "synthetic", "created_at", "review"]
    list_filter = ["status", "scope", "synthetic", "framework"]
    list_select_related = ["framework"]
    fields = [
        "framework",
        "requested_by",
        "scope",
        "period_start",
        "period_end",
        "synthetic",
        "reference",
        "draft",
        "status",
        "progress",
        "progress_message",
        "error",
        "created_at",
        "started_at",
        "finished_at",
        "review",
    ]
    readonly_fields = fields

    @admin.display(description=_("revue"))
    def review(self, run: CalibrationRun) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("psychometrics:run", args=[run.pk]), _("Ouvrir")
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.PSYCHOMETRICIAN)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return has_role(request.user, Role.PSYCHOMETRICIAN)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
