from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "palier.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self) -> None:
        # Registers the deploy checks and the login-time session stamps.
        from palier.accounts import checks, sessions  # noqa: F401
