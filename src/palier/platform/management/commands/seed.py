"""`palier seed [--demo]`: load the framework, the item bank, the catalogue, the plan's targets,
the national funding call with its awards and (with --demo) demo accounts, organisations,
campaigns, awards and denominators.

Idempotent: a second run changes nothing and says so.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.accounts.demo import DEMO_PASSWORD, load_demo_accounts
from palier.campaigns.demo import load_demo_campaigns
from palier.core.db import analyze
from palier.frameworks.seed import SeedError, load_framework_seed
from palier.items.seed import ItemSeedError, load_item_seed
from palier.organisations.demo import load_demo_organisation
from palier.steering.award_seed import load_award_seed
from palier.steering.demo import load_demo_denominators
from palier.steering.seed import load_target_seed
from palier.training.seed import CatalogueSeedError, load_catalogue_seed

PARTS = ("framework", "items", "catalogue", "targets", "awards")


class Command(BaseCommand):
    help = "Load the competence framework, the seed item bank and, with --demo, demo accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "parts",
            nargs="*",
            metavar="PART",
            help=f"what to load: {', '.join(PARTS)} (default: everything)",
        )
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Also create demo accounts with a published password (PALIER_DEBUG=1 only: "
            "they cannot sign in when debug is off).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["demo"] and not settings.DEBUG:
            raise CommandError(
                "Demo accounts have a published password: they are only created with "
                "PALIER_DEBUG=1 (and refused at sign-in whenever debug is off)."
            )
        parts = options["parts"] or PARTS
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise CommandError(
                f"Unknown part(s): {', '.join(unknown)}; choose from {', '.join(PARTS)}."
            )
        try:
            report = load_framework_seed()
        except SeedError as error:
            raise CommandError(str(error)) from error
        state = (
            "created"
            if report.created
            else ("frozen, left as is" if report.frozen else "up to date")
        )
        self.stdout.write(
            f"Framework {report.framework.code} {report.framework.version} ({state}): "
            f"{report.areas} areas, {report.competences} competences, "
            f"{report.capacities} capacities, {report.populations} populations."
        )
        if "items" in parts:
            try:
                items = load_item_seed(report.framework)
            except ItemSeedError as error:
                raise CommandError(f"Seed item bank is invalid:\n{error}") from error
            self.stdout.write(
                f"Item bank: {items.imported.summary()}. "
                f"Active calibration: {items.calibration.name}."
            )
        if "catalogue" in parts:
            try:
                catalogue = load_catalogue_seed(report.framework)
            except CatalogueSeedError as error:
                raise CommandError(f"Seed catalogue is invalid: {error}") from error
            self.stdout.write(
                f"Training catalogue (demo data): {catalogue.providers} providers, "
                f"{catalogue.modules} modules, {catalogue.resources} self-study resources."
            )
        if "targets" in parts:
            targets = load_target_seed()
            self.stdout.write(
                f"Steering targets: {targets.created} added, {targets.kept} already there."
            )
        if options["demo"]:
            self.stdout.write(f"Demo accounts (password: {DEMO_PASSWORD}):")
            for result in load_demo_accounts():
                flag = "created" if result.created else "reused"
                self.stdout.write(f"  {result.email:<40} {', '.join(result.roles):<30} {flag}")
            load_demo_organisation()
            for campaign in load_demo_campaigns():
                flag = "created" if campaign.created else "reused"
                self.stdout.write(
                    f"Demo campaign {campaign.name!r}: code {campaign.code}, "
                    f"{campaign.participants} generated participants ({flag})."
                )
        if "awards" in parts:
            awards = load_award_seed(demo=options["demo"])
            self.stdout.write(
                f"Funding call {awards.call.code}: {awards.real} awards from public sources, "
                f"{awards.demo} demo awards."
            )
        if options["demo"]:
            # After the awards: the demo awardees get figures too.
            denominators = load_demo_denominators()
            self.stdout.write(
                f"Demo denominators: {denominators.enrolments} enrolment figures, "
                f"{denominators.national_totals} national totals (demo data)."
            )
        analyze()  # fresh planner statistics for the loaded tables (PostgreSQL)
