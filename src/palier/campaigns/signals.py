"""Receivers: a finished attempt moves the learner's campaign participations forward."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from palier.assessments.signals import attempt_finished


@receiver(attempt_finished)
def follow_finished_attempt(sender: Any, attempt: Any, **kwargs: Any) -> None:
    from palier.campaigns.services import attempt_finished as on_finished

    on_finished(attempt)
