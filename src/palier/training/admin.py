"""Moderation of the catalogue in the management site (platform administrators)."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import admin_site
from palier.training import services
from palier.training.models import Module, ModuleSession, Resource


class SessionInline(admin.TabularInline):
    model = ModuleSession
    extra = 0


@admin.register(Module, site=admin_site)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "provider", "format", "hours", "status", "is_demo"]
    list_filter = ["status", "format", "is_demo", "language"]
    search_fields = ["title_fr", "title_en", "code", "provider__name"]
    filter_horizontal = ["capacities", "populations"]
    inlines = [SessionInline]
    actions = ["publish", "reject"]

    @admin.action(description=_("Publier (modération acceptée)"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        services.moderate_modules(queryset, Module.Status.PUBLISHED)

    @admin.action(description=_("Refuser"))
    def reject(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        services.moderate_modules(queryset, Module.Status.REJECTED)


@admin.register(Resource, site=admin_site)
class ResourceAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "competence", "kind", "level", "minutes"]
    list_filter = ["kind", "level", "competence__area"]
    search_fields = ["title_fr", "code"]
    filter_horizontal = ["capacities"]
