"""Management site: organisations' identity providers, linked identities, provider health.
The site itself is open to platform administrators only (accounts.admin_site)."""

from django.contrib import admin

from palier.integrations.oidc.models import LinkedIdentity, OrganisationProvider, ProviderHealth


@admin.register(OrganisationProvider)
class OrganisationProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "issuer", "enabled", "show_on_login_page"]
    list_filter = ["enabled", "show_on_login_page"]
    search_fields = ["name", "slug", "organisation__name"]
    raw_id_fields = ["organisation"]


@admin.register(LinkedIdentity)
class LinkedIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider_key", "linked_at", "last_login_at"]
    list_filter = ["provider_key"]
    raw_id_fields = ["user"]
    readonly_fields = ["user", "issuer", "subject", "provider_key", "linked_at", "last_login_at"]

    def has_add_permission(self, request: object) -> bool:
        # Links are made by their owner signing in, never by hand.
        return False


@admin.register(ProviderHealth)
class ProviderHealthAdmin(admin.ModelAdmin):
    list_display = ["provider_key", "last_success_at", "last_error_at", "last_error_message"]
    readonly_fields = list_display

    def has_add_permission(self, request: object) -> bool:
        return False
