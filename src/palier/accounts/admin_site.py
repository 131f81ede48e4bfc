"""The management site (/gestion/): Django's admin, open to platform administrators only."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.accounts.roles import Role, has_role


class PalierAdminSite(AdminSite):
    site_header = _("Palier — gestion")
    site_title = _("Palier — gestion")
    index_title = _("Gestion de la plateforme")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(
            request.user.is_active
            and request.user.is_staff
            and has_role(request.user, Role.ADMINISTRATOR)
        )


admin_site = PalierAdminSite(name="admin")
