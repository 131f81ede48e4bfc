"""`palier demo_certification`: the demo certification centre and its sessions (after
`palier seed --demo` and the pilot calibration; PALIER_DEBUG=1 only)."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from palier.certification.demo import NoCalibration, load_demo_certification


class Command(BaseCommand):
    help = "Create the demo certification centre, a past session and a session open today."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("Demo data is only created with PALIER_DEBUG=1.")
        try:
            demo = load_demo_certification()
        except NoCalibration as error:
            raise CommandError(f"No demo certification: {error}") from error
        state = "created" if demo.created else "reused"
        self.stdout.write(
            f"Demo certification centre {demo.centre} ({state}): "
            f"{demo.past_certificates} certificates issued in its past session."
        )
        self.stdout.write(
            f"Session open today: access code {demo.open_code}, invigilator password "
            f"{demo.password!r} (surveillance@ supervises, apprenant@ sits it)."
        )
