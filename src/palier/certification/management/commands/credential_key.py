"""`palier credential_key`: print a new Ed25519 key for PALIER_CREDENTIAL_KEY.

    palier credential_key            # a new key, e.g. PALIER_CREDENTIAL_KEY=<new>
    palier credential_key --rotate   # the new key first, then the keys already set

Nothing is stored: the operator puts the printed value in the server's environment. After
a rotation keep the old keys listed, so that the credentials they signed still verify.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from palier.certification.keys import key_from_seed, new_seed


class Command(BaseCommand):
    help = "Print a new credential signing key in PALIER_CREDENTIAL_KEY's format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rotate",
            action="store_true",
            help="Print the new key followed by the keys already configured.",
        )

    def handle(self, *args: object, **options: object) -> None:
        seed = new_seed()
        seeds = [seed, *settings.PALIER_CREDENTIAL_KEY] if options["rotate"] else [seed]
        self.stdout.write(",".join(seeds))
        self.stderr.write(f"New key id: {key_from_seed(seed).kid}")
