"""Certification in the management site (platform administrators): centres are granted and
withdrawn here (through centre_services, which checks the role); sessions, decisions and
certificates are shown read-only for support (exam-day services write them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import admin_site
from palier.certification import centre_services
from palier.certification.errors import CertificationError
from palier.certification.models import Centre, Certificate, JuryDecision, Session


@admin.register(Centre, site=admin_site)
class CentreAdmin(admin.ModelAdmin):
    """Adding a centre grants the capability to an organisation; the actions withdraw or
    restore it. Nothing is deleted (sessions and certificates keep their centre)."""

    list_display = ["organisation", "is_active", "granted_by", "granted_at"]
    list_filter = ["is_active"]
    search_fields = ["organisation__name", "organisation__slug"]
    autocomplete_fields = ["organisation"]
    fields = ["organisation"]
    actions = ["withdraw", "restore"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Centre, form: Any, change: bool) -> None:
        if not change:
            granted = centre_services.grant_centre(obj.organisation, request.user)
            obj.pk, obj.is_active = granted.pk, granted.is_active

    @admin.action(description=_("Retirer l'habilitation"))
    def withdraw(self, request: HttpRequest, queryset: QuerySet[Centre]) -> None:
        for centre in queryset:
            try:
                centre_services.withdraw_centre(centre, request.user)
            except CertificationError as error:
                self.message_user(request, f"{centre} : {error.message}", messages.ERROR)

    @admin.action(description=_("Rétablir l'habilitation"))
    def restore(self, request: HttpRequest, queryset: QuerySet[Centre]) -> None:
        for centre in queryset.select_related("organisation"):
            centre_services.grant_centre(centre.organisation, request.user)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Session, site=admin_site)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["centre", "date", "start_time", "room", "status", "expected_candidates"]
    list_filter = ["status"]
    search_fields = ["centre__organisation__name", "room"]
    exclude = ["invigilator_password", "access_code"]
    date_hierarchy = "date"


@admin.register(JuryDecision, site=admin_site)
class JuryDecisionAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "outcome", "rule_version", "decided_by", "decided_at"]
    list_filter = ["outcome", "rule_version"]


@admin.register(Certificate, site=admin_site)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "holder_name", "framework_version", "issued_at", "revoked_at"]
    search_fields = ["code", "holder_name"]
    list_filter = ["framework_version"]
