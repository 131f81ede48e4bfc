"""The events of the apps below, turned into statements. Each receiver runs inside the
service's transaction, so the outbox row exists exactly when the learner's action does."""

from __future__ import annotations

from typing import Any

from palier.assessments.signals import answer_recorded, attempt_finished, attempt_started
from palier.certification.signals import certificate_issued
from palier.integrations.xapi import statements
from palier.integrations.xapi.services import record_statement
from palier.training.signals import plan_entry_added, plan_entry_completed

DISPATCH_PREFIX = "integrations_xapi"


def on_attempt_started(sender: Any, attempt: Any, **kwargs: Any) -> None:
    record_statement(attempt.user_id, lambda: statements.test_started(attempt))


def on_answer_recorded(sender: Any, attempt: Any, response: Any, **kwargs: Any) -> None:
    record_statement(attempt.user_id, lambda: statements.question_answered(attempt, response))


def on_attempt_finished(sender: Any, attempt: Any, **kwargs: Any) -> None:
    record_statement(attempt.user_id, lambda: statements.test_completed(attempt))


def on_plan_entry_added(sender: Any, entry: Any, **kwargs: Any) -> None:
    if entry.module_id is not None:
        record_statement(entry.user_id, lambda: statements.module_added(entry))


def on_plan_entry_completed(sender: Any, entry: Any, **kwargs: Any) -> None:
    if entry.module_id is not None:
        record_statement(entry.user_id, lambda: statements.module_completed(entry))


def on_certificate_issued(sender: Any, certificate: Any, **kwargs: Any) -> None:
    record_statement(
        certificate.candidate.user_id, lambda: statements.certification_earned(certificate)
    )


def connect() -> None:
    """Connect every receiver once (`ready()` may run twice)."""
    pairs = [
        (attempt_started, on_attempt_started),
        (answer_recorded, on_answer_recorded),
        (attempt_finished, on_attempt_finished),
        (plan_entry_added, on_plan_entry_added),
        (plan_entry_completed, on_plan_entry_completed),
        (certificate_issued, on_certificate_issued),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"{DISPATCH_PREFIX}.{receiver.__name__}")
