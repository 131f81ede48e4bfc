"""Reminders by e-mail: staff choose who, read the exact message, then send; one batch per
campaign and one reminder per learner per day; logged by id, never by address; shown as a
history. Through the real pages (test client) and the real task."""

from __future__ import annotations

import logging
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from palier.campaigns import reminders, services
from palier.campaigns.models import (
    ExpectedLearner,
    Participation,
    ReminderBatch,
    ReminderRecipient,
)
from palier.campaigns.tasks import send_reminder_batch
from tests.factories import make_user

pytestmark = pytest.mark.django_db

EXPECTED = ["ana@example.org", "bao@example.org", "chloe@example.org"]


@pytest.fixture
def cohort(campaign):
    """Three expected learners: Ana joined (not finished), Bao finished, Chloé never came."""
    for email in EXPECTED:
        ExpectedLearner.objects.create(campaign=campaign, email=email)
    ana = services.join_campaign(make_user("ana@example.org"), campaign)
    bao = services.join_campaign(make_user("Bao@Example.org"), campaign)
    Participation.objects.filter(pk=bao.pk).update(
        status=Participation.Status.FINISHED, finished_at=timezone.now()
    )
    return {"ana": ana, "bao": bao}


def invite_url(campaign) -> str:
    return reverse("organisations:campaign_invite", args=[campaign.organisation.slug, campaign.pk])


def reminders_url(campaign) -> str:
    return reverse(
        "organisations:campaign_reminders", args=[campaign.organisation.slug, campaign.pk]
    )


def test_the_recipients_are_those_who_did_not_join_or_did_not_finish(campaign, cohort):
    not_joined = reminders.reminder_recipients(campaign, "not_joined")
    chloe = ExpectedLearner.objects.get(email="chloe@example.org")
    assert not_joined.expected_ids == [chloe.pk]  # Bao joined with another letter case
    not_finished = reminders.reminder_recipients(campaign, "not_finished")
    assert not_finished.participation_ids == [cohort["ana"].pk]


def test_the_invite_page_offers_both_audiences_with_their_counts(
    client, campaign, cohort, org_admin
):
    client.force_login(org_admin)
    body = unescape(client.get(invite_url(campaign)).content.decode())
    assert "Apprenants attendus qui n'ont pas rejoint la campagne (1)" in body
    assert "Apprenants inscrits qui n'ont pas fini le test (1)" in body
    assert campaign.display_code in body
    assert "Aucune relance pour l'instant." in body


def test_the_preview_shows_the_exact_message_and_sends_nothing(client, campaign, cohort, org_admin):
    client.force_login(org_admin)
    page = client.get(reminders_url(campaign), {"audience": "not_joined"})
    body = unescape(page.content.decode())
    assert page.status_code == 200
    message = reminders.reminder_message(campaign, "not_joined")
    assert f"/campagnes/rejoindre/{campaign.code}/" in message.body
    assert campaign.display_code in message.body
    assert "Vous n'avez pas encore rejoint" in message.body
    assert message.body in body
    assert "Envoyer à 1 apprenant" in body
    assert not ReminderBatch.objects.exists() and not mail.outbox


def test_sending_records_the_batch_by_id_and_the_task_mails_each_learner_alone(
    client, campaign, cohort, org_admin, django_capture_on_commit_callbacks, caplog
):
    client.force_login(org_admin)
    caplog.set_level(logging.INFO, logger="palier.campaigns")
    with django_capture_on_commit_callbacks() as callbacks:
        page = client.post(reminders_url(campaign), {"audience": "not_finished"})
    assert page.status_code == 302 and page["Location"] == invite_url(campaign)
    batch = ReminderBatch.objects.get()
    assert (batch.audience, batch.recipient_count, batch.sent_by) == ("not_finished", 1, org_admin)
    assert list(batch.recipients.values_list("participation_id", flat=True)) == [cohort["ana"].pk]
    assert len(callbacks) == 1  # the e-mails are queued once the batch is committed
    assert send_reminder_batch.call(batch.pk) == 1
    (sent,) = mail.outbox
    assert sent.to == ["ana@example.org"]
    assert sent.body == reminders.reminder_message(campaign, "not_finished").body
    assert send_reminder_batch.call(batch.pk) == 0  # a retried task writes to nobody twice
    batch.refresh_from_db()
    assert batch.sent_count == 1 and batch.sent_at is not None
    assert "@" not in caplog.text and f"participations [{cohort['ana'].pk}]" in caplog.text
    history = unescape(client.get(invite_url(campaign)).content.decode())
    assert "1 apprenant relancé, 1 e-mail envoyé" in history
    assert "Apprenants inscrits qui n'ont pas fini le test" in history


def test_a_second_batch_within_a_day_is_refused_and_changes_nothing(
    client, campaign, cohort, org_admin
):
    client.force_login(org_admin)
    client.post(reminders_url(campaign), {"audience": "not_finished"})
    page = client.post(reminders_url(campaign), {"audience": "not_joined"})
    assert page.status_code == 429
    assert "Prochaine relance possible le" in unescape(page.content.decode())
    assert ReminderBatch.objects.count() == 1
    ReminderBatch.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert client.post(reminders_url(campaign), {"audience": "not_joined"}).status_code == 302
    assert ReminderBatch.objects.count() == 2


def test_a_learner_is_reminded_at_most_once_a_day_across_campaigns(
    client, make_campaign, campaign, cohort, org_admin
):
    client.force_login(org_admin)
    client.post(reminders_url(campaign), {"audience": "not_joined"})  # Chloé
    other = make_campaign(name="Deuxième année")
    for email in ("CHLOE@example.org", "dan@example.org"):
        ExpectedLearner.objects.create(campaign=other, email=email.lower())
    recipients = reminders.reminder_recipients(other, "not_joined")
    assert recipients.count == 1 and recipients.recently_reminded == 1
    page = unescape(client.get(reminders_url(other), {"audience": "not_joined"}).content.decode())
    assert "1 autre apprenant a déjà reçu un rappel depuis moins d'un jour" in page


def test_a_learner_who_joined_after_the_batch_gets_no_reminder(campaign, cohort, org_admin):
    batch = reminders.send_reminders(campaign, "not_joined", org_admin)
    services.join_campaign(make_user("chloe@example.org"), campaign)
    assert send_reminder_batch.call(batch.pk) == 0
    assert not mail.outbox
    assert ReminderRecipient.objects.get(batch=batch).sent_at is not None


@pytest.mark.parametrize("audience", ["", "everyone", "not_joined'--"])
def test_an_unknown_audience_is_a_clear_error_and_sends_nothing(
    client, campaign, cohort, org_admin, audience
):
    client.force_login(org_admin)
    page = client.post(reminders_url(campaign), {"audience": audience})
    assert page.status_code == 400
    assert "Choisissez à qui envoyer la relance." in unescape(page.content.decode())
    assert client.get(reminders_url(campaign), {"audience": audience}).status_code == 400
    assert not ReminderBatch.objects.exists()


def test_nobody_to_remind_and_closed_campaigns_are_refused(client, make_campaign, org_admin):
    client.force_login(org_admin)
    empty = make_campaign()
    page = client.post(reminders_url(empty), {"audience": "not_joined"})
    assert page.status_code == 409 and "Personne à relancer" in unescape(page.content.decode())
    closed = make_campaign(name="Close")
    ExpectedLearner.objects.create(campaign=closed, email="eve@example.org")
    yesterday = timezone.localdate() - timedelta(days=1)
    type(closed).objects.filter(pk=closed.pk).update(
        opens_on=yesterday - timedelta(days=9), closes_on=yesterday
    )
    page = client.post(reminders_url(closed), {"audience": "not_joined"})
    assert page.status_code == 409
    assert not ReminderBatch.objects.exists()


def test_members_see_the_invite_page_but_cannot_remind(client, campaign, cohort, org_member):
    client.force_login(org_member)
    body = unescape(client.get(invite_url(campaign)).content.decode())
    assert "Voir le message" not in body
    assert client.get(reminders_url(campaign), {"audience": "not_joined"}).status_code == 403
    assert client.post(reminders_url(campaign), {"audience": "not_joined"}).status_code == 403
    assert not ReminderBatch.objects.exists()


def test_outsiders_get_not_found(client, campaign, cohort, outsider):
    client.force_login(outsider)
    assert client.get(invite_url(campaign)).status_code == 404
    assert client.post(reminders_url(campaign), {"audience": "not_joined"}).status_code == 404
    assert not ReminderBatch.objects.exists()


def test_reminders_are_in_the_personal_data_export_of_the_sender_and_of_the_learner(
    campaign, cohort, org_admin
):
    from palier.accounts.services import export_personal_data

    batch = reminders.send_reminders(campaign, "not_finished", org_admin)
    send_reminder_batch.call(batch.pk)
    sent = export_personal_data(org_admin)["campaign_choices"]["reminders_sent"]
    assert [(row["campaign"], row["learners"]) for row in sent] == [(campaign.name, 1)]
    (participation,) = export_personal_data(cohort["ana"].user)["campaigns"]
    assert len(participation["reminders_received"]) == 1
