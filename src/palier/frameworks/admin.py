from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.frameworks.models import (
    Area,
    Capacity,
    Competence,
    Framework,
    Level,
    Population,
    TargetLevel,
)
from palier.frameworks.services import new_framework_version


def next_version_name(framework: Framework) -> str:
    """`2026.1` -> `2026.1-r2`, `2026.1-r2` -> `2026.1-r3`, skipping names already taken."""
    base, _, revision = framework.version.partition("-r")
    number = int(revision) + 1 if revision.isdigit() else 2
    taken = set(Framework.objects.filter(code=framework.code).values_list("version", flat=True))
    while f"{base}-r{number}" in taken:
        number += 1
    return f"{base}-r{number}"


class FrozenAwareAdmin(admin.ModelAdmin):
    """Read-only once the owning framework version is frozen."""

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and _owning(obj).is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if obj is not None and _owning(obj).is_frozen:
            return False
        return super().has_delete_permission(request, obj)


def _owning(obj: object) -> Framework:
    return obj if isinstance(obj, Framework) else obj.owning_framework()  # type: ignore[attr-defined]


@admin.register(Framework)
class FrameworkAdmin(FrozenAwareAdmin):
    list_display = ["code", "version", "title_fr", "status", "published_at", "frozen_at"]
    list_filter = ["status", "code"]
    readonly_fields = ["status", "published_at", "frozen_at"]
    actions = ["make_new_version"]

    @admin.action(description=_("Créer une nouvelle version (brouillon) à partir de celle-ci"))
    def make_new_version(self, request: HttpRequest, queryset: QuerySet[Framework]) -> None:
        for framework in queryset:
            copy = new_framework_version(framework, next_version_name(framework))
            self.message_user(
                request,
                _("Version %(version)s créée.") % {"version": copy.version},
                messages.SUCCESS,
            )


@admin.register(Area)
class AreaAdmin(FrozenAwareAdmin):
    list_display = ["code", "title_fr", "framework", "reference_hours"]
    list_filter = ["framework"]


@admin.register(Competence)
class CompetenceAdmin(FrozenAwareAdmin):
    list_display = ["code", "title_fr", "area"]
    list_filter = ["area__framework", "area"]
    search_fields = ["code", "title_fr", "title_en"]


@admin.register(Capacity)
class CapacityAdmin(FrozenAwareAdmin):
    list_display = ["code", "title_fr", "competence"]
    list_filter = ["competence__area__framework", "competence__area"]
    search_fields = ["code", "title_fr", "title_en"]


@admin.register(Level)
class LevelAdmin(FrozenAwareAdmin):
    list_display = ["area", "rank", "label_fr", "min_theta"]
    list_filter = ["area__framework"]


@admin.register(TargetLevel)
class TargetLevelAdmin(FrozenAwareAdmin):
    list_display = ["population", "area", "level_rank", "framework"]
    list_filter = ["framework", "population__kind"]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "kind", "position"]
    list_filter = ["kind"]
