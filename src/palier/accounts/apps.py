from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "palier.accounts"
    label = "accounts"
    verbose_name = _("Comptes")

    def ready(self) -> None:
        # Registers the deploy checks and the login-time session stamps.
        from palier.accounts import checks, sessions  # noqa: F401


class ManagementAdminConfig(admin_apps.AdminConfig):
    """Django's admin whose default site is the management site (/gestion/), gated by the
    administrator role: apps register with `django.contrib.admin.site` and need not import
    accounts."""

    default = False
    default_site = "palier.accounts.admin_site.PalierAdminSite"
