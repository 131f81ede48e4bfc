"""Delivery to a real LRS (Ralph, started by the test session): statements arrive and pass
Ralph's own xAPI model, a retry never stores a statement twice, and an LRS that is down loses
nothing: what waited is sent when it is back."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from palier.accounts.models import LearnerProfile
from palier.assessments.services import record_answer, start_attempt
from palier.integrations.status import statuses
from palier.integrations.xapi import client, services, vocabulary
from palier.integrations.xapi.models import LrsLink, Statement
from palier.training.models import PlanEntry
from palier.training.services import add_to_plan, set_progress
from tests.assessments.conftest import right_answer, wrong_answer
from tests.factories import make_organisation, make_user
from tests.training.conftest import make_module

pytestmark = pytest.mark.django_db(transaction=True)
MAX_QUESTIONS = 60


def stored_ids(lrs) -> list[str]:
    return [statement["id"] for statement in lrs.statements()]


def plan_and_complete(user, code: str = "secu-stage") -> None:
    module = make_module(code, make_organisation(f"Université {code}"), ["D2.C4.1"])
    entry = add_to_plan(user, module=module)
    set_progress(entry, PlanEntry.Progress.COMPLETED)


def test_a_whole_test_reaches_the_lrs_and_every_statement_passes_ralphs_model(
    lrs, seeded, run_tasks
):
    attempt = start_attempt(make_user(), ["D3"])
    for _ in range(MAX_QUESTIONS):
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        version = attempt.current_version
        answer = right_answer(version) if attempt.current_position % 2 else wrong_answer(version)
        record_answer(attempt, attempt.current_position, answer)
    assert attempt.is_finished
    ours = list(Statement.objects.order_by("created_at", "pk"))
    assert len(ours) == attempt.responses.count() + 2

    run_tasks()

    assert {statement.status for statement in Statement.objects.all()} == {"sent"}
    received = {statement["id"]: statement for statement in lrs.statements()}
    assert {str(statement.id) for statement in ours} <= set(received)
    arrived = [received[str(statement.id)] for statement in ours]
    assert [statement["verb"]["id"] for statement in arrived] == [
        vocabulary.ATTEMPTED.iri,
        *[vocabulary.ANSWERED.iri] * attempt.responses.count(),
        vocabulary.COMPLETED.iri,
    ]
    assert set(lrs.model_errors(arrived)) == {"ok"}
    assert all("response" not in statement.get("result", {}) for statement in arrived)
    link = LrsLink.objects.get()
    assert link.last_success_at is not None
    [line] = [line for line in statuses() if "xAPI" in str(line.name)]
    assert line.configured and line.last_success == link.last_success_at


def test_a_statement_sent_again_is_stored_once(lrs, framework):
    user = make_user()
    plan_and_complete(user, "retry-once")
    assert services.deliver_due().sent == 2
    first = Statement.objects.order_by("created_at").first()
    # The LRS stored it but Palier never heard back: the retry sends the same id.
    Statement.objects.filter(pk=first.pk).update(status="pending", next_try_at=timezone.now())
    assert services.deliver_due().sent == 1
    assert stored_ids(lrs).count(str(first.pk)) == 1
    first.refresh_from_db()
    assert first.status == Statement.Status.SENT and first.tries == 2
    # A different statement under an id the LRS already holds: 409, and still stored once.
    changed = {**first.payload, "timestamp": "2026-01-01T00:00:00.000Z"}
    assert client.put_statement(changed).status == 409
    assert stored_ids(lrs).count(str(first.pk)) == 1


def test_while_the_lrs_is_down_nothing_is_lost_and_all_is_sent_when_it_is_back(
    lrs, framework, run_tasks
):
    lrs.stop()
    user = make_user()
    plan_and_complete(user, "lrs-down")

    run_tasks()

    waiting = list(Statement.objects.order_by("created_at"))
    assert [statement.status for statement in waiting] == ["pending", "pending"]
    assert waiting[0].tries == 1 and waiting[0].error.startswith("unreachable")
    assert waiting[0].next_try_at > timezone.now()
    link = LrsLink.objects.get()
    assert link.last_error_at is not None and link.last_success_at is None
    # The retry is queued for later (exponential backoff), not lost.
    assert DBTaskResult.objects.filter(status="READY", run_after__isnull=False).exists()

    lrs.start()
    later = timezone.now() + services.retry_delay(1) + timedelta(seconds=1)
    assert services.deliver_due(now=later).sent == 2
    assert {str(statement.pk) for statement in waiting} <= set(stored_ids(lrs))
    assert set(Statement.objects.values_list("status", flat=True)) == {"sent"}


def test_statements_of_a_learner_who_opts_out_before_delivery_are_never_sent(lrs, framework):
    user = make_user()
    plan_and_complete(user, "opt-out")
    pending = [str(pk) for pk in Statement.objects.values_list("pk", flat=True)]
    LearnerProfile.objects.update_or_create(user=user, defaults={"learning_records_opt_out": True})
    delivery = services.deliver_due()
    assert (delivery.sent, delivery.withdrawn) == (0, 2)
    assert not set(pending) & set(stored_ids(lrs))
    # And once opted out, nothing new is recorded.
    plan_and_complete(user, "opt-out-2")
    assert Statement.objects.count() == 0


def test_a_statement_the_lrs_refuses_is_kept_with_the_reason_and_not_retried(lrs, framework):
    user = make_user()
    plan_and_complete(user, "refused")
    statement = Statement.objects.order_by("created_at").first()
    # Valid for Palier's schema, refused by Ralph (its e-mail check wants a dotted domain).
    payload = {**statement.payload, "actor": {"mbox": "mailto:learner@localhost"}}
    Statement.objects.filter(pk=statement.pk).update(payload=payload)
    delivery = services.deliver_due()
    statement.refresh_from_db()
    assert statement.status == Statement.Status.REJECTED
    assert statement.error.startswith("HTTP 4")
    assert delivery.sent == 1 and delivery.rejected == 1
