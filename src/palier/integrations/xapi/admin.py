"""The outbox and the link with the LRS in the management site (administrators only). The
configuration itself (endpoint, credentials) comes from the environment."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from palier.accounts.admin_site import admin_site
from palier.accounts.roles import Role, has_role
from palier.integrations.xapi import services
from palier.integrations.xapi.models import LrsLink, Statement


class ReadOnlyAdmin(admin.ModelAdmin):
    """Seen by administrators only; rows are written by the integration, never by hand."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, Role.ADMINISTRATOR)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Statement, site=admin_site)
class StatementAdmin(ReadOnlyAdmin):
    list_display = ("id", "verb", "status", "tries", "created_at", "sent_at", "next_try_at")
    list_filter = ("status", "verb")
    readonly_fields = (
        "id",
        "verb",
        "status",
        "tries",
        "next_try_at",
        "error",
        "created_at",
        "sent_at",
        "payload",
    )
    exclude = ("user",)
    actions = ["send_again"]

    @admin.action(description=_("Renvoyer maintenant"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[Statement]) -> None:
        count = services.send_again(queryset)
        self.message_user(
            request,
            ngettext(
                "%(count)d déclaration sera renvoyée.",
                "%(count)d déclarations seront renvoyées.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(LrsLink, site=admin_site)
class LrsLinkAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "last_success_at", "last_error_at", "last_error")
