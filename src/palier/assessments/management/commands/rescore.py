"""`palier rescore ATTEMPT`: recompute a finished result from the stored responses."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from palier.assessments.models import Attempt
from palier.assessments.rescoring import rescore


class Command(BaseCommand):
    help = "Recompute an attempt's result from its stored responses and compare."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("attempt", help="attempt id (UUID)")

    def handle(self, *args: object, **options: object) -> None:
        try:
            attempt = Attempt.objects.get(pk=options["attempt"])
        except (Attempt.DoesNotExist, ValueError, Exception) as error:
            raise CommandError(f"No attempt {options['attempt']!r}.") from error
        outcome = rescore(attempt)
        for line in outcome.lines:
            self.stdout.write(line)
        if not outcome.matches:
            raise CommandError("The recomputed result differs from the stored one.")
        self.stdout.write(self.style.SUCCESS("Recomputed result matches the stored result."))
