import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from palier.accounts.tasks import send_account_email
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_a_queued_e_mail_is_stored_then_sent_by_the_database_worker(run_tasks):
    user = make_user("karim@example.org", confirmed=False)
    result = send_account_email.enqueue(user.pk, "confirm_email")
    stored = DBTaskResult.objects.get(id=result.id)
    assert stored.status == "READY"
    assert mail.outbox == []
    run_tasks()
    stored.refresh_from_db()
    assert stored.status == "SUCCESSFUL"
    assert [message.to for message in mail.outbox] == [["karim@example.org"]]
    assert str(user.email) not in str(stored.args_kwargs)  # task rows hold ids, not addresses


@pytest.mark.django_db(transaction=True)
def test_the_task_sends_nothing_to_an_already_confirmed_or_erased_account(run_tasks):
    confirmed = make_user()
    send_account_email.enqueue(confirmed.pk, "confirm_email")
    send_account_email.enqueue(987654, "password_reset")
    run_tasks()
    assert mail.outbox == []
