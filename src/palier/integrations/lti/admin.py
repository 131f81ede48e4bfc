"""Platform registrations in the management site (administrators only, as the whole site)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import admin_site
from palier.integrations.lti import models


class DeploymentInline(admin.TabularInline):
    model = models.Deployment
    extra = 1


@admin.register(models.Platform, site=admin_site)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ("name", "issuer", "client_id", "is_active", "last_success_at", "last_error_at")
    list_filter = ("is_active",)
    raw_id_fields = ("organisation",)
    readonly_fields = ("last_success_at", "last_error_at", "last_error_message")
    inlines = [DeploymentInline]
    fieldsets = (
        (None, {"fields": ("name", "organisation", "is_active")}),
        (
            _("Identité de la plateforme"),
            {"fields": ("issuer", "client_id", "auth_login_url", "auth_token_url")},
        ),
        (_("Clés de la plateforme"), {"fields": ("key_set_url", "key_set")}),
        (_("État"), {"fields": ("last_success_at", "last_error_at", "last_error_message")}),
    )


@admin.register(models.GradePassback, site=admin_site)
class GradePassbackAdmin(admin.ModelAdmin):
    list_display = ("participation", "status", "tries", "score_given", "sent_at", "last_error_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in models.GradePassback._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
