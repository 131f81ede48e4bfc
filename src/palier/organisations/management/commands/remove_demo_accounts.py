"""`palier remove_demo_accounts`: delete the demo accounts (published password) and the demo
organisation, e.g. from a database first seeded in debug and now going to production."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from palier.accounts.demo import DEMO_DOMAIN
from palier.organisations.demo import remove_demo_accounts


class Command(BaseCommand):
    help = f"Delete every @{DEMO_DOMAIN} account, its data, and the demo organisation."

    def handle(self, *args: object, **options: object) -> None:
        removed = remove_demo_accounts()
        self.stdout.write(
            f"Removed {removed.accounts} demo account(s) and "
            f"{removed.organisations} demo organisation(s)."
        )
