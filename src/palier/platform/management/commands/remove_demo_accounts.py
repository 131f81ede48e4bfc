"""`palier remove_demo_accounts`: delete the demo accounts (published password) and the demo
organisation, e.g. from a database first seeded in debug and now going to production.

It lives in the platform app because it removes, top down, what the apps above the
organisations attach to demo accounts: demo awards, national totals and institutions, then demo
certification candidacies, then the accounts and the organisation."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from palier.accounts.demo import DEMO_DOMAIN
from palier.certification.demo import remove_demo_certification
from palier.organisations.demo import remove_demo_accounts
from palier.steering.award_seed import remove_demo_awards
from palier.steering.demo import remove_demo_national_totals
from palier.steering.demo_activity import remove_demo_activity


class Command(BaseCommand):
    help = f"Delete every @{DEMO_DOMAIN} account, its data, and the demo organisation."

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            awards = remove_demo_awards()
            remove_demo_national_totals()
            institutions = remove_demo_activity()
            candidacies = remove_demo_certification()
            removed = remove_demo_accounts()
        self.stdout.write(
            f"Removed {removed.accounts} demo account(s), {removed.organisations} demo "
            f"organisation(s), {institutions} demo institution(s), {awards} demo award(s) and "
            f"{candidacies} demo candidacies."
        )
