"""The plan page: progress per area against the 28 hours, and a retake suggestion that
respects the delay between two positioning tests."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from palier.training import services
from palier.training.queries import PlanProgress, hours_per_area
from tests.factories import make_user
from tests.training.test_recommend import finished_attempt

pytestmark = pytest.mark.django_db


def completed_plan(catalogue, user=None):
    user = user or make_user()
    for module in (catalogue["students"], catalogue["telehealth"]):
        services.set_progress(services.add_to_plan(user, module=module), "completed")
    return user


def test_a_completed_plan_gives_the_retake_date_during_the_delay(client, catalogue, framework):
    learner = completed_plan(catalogue)
    attempt = finished_attempt(learner, framework, {"D2": 1})
    client.force_login(learner)
    page = client.get(reverse("training:plan")).content.decode()
    allowed = attempt.finished_at + timedelta(days=settings.PALIER_RETAKE_COOLDOWN_DAYS)
    date = date_format(timezone.localtime(allowed), "DATETIME_FORMAT")
    assert f"Vous pourrez repasser le test de positionnement à partir du {date}" in page
    assert "repassez le test" not in page


def test_a_completed_plan_says_retake_once_the_delay_is_over(client, catalogue, framework):
    learner = completed_plan(catalogue)
    attempt = finished_attempt(learner, framework, {"D2": 1})
    attempt.finished_at = timezone.now() - timedelta(
        days=settings.PALIER_RETAKE_COOLDOWN_DAYS, minutes=1
    )
    attempt.save()
    client.force_login(learner)
    page = client.get(reverse("training:plan")).content.decode()
    assert "repassez le test de positionnement" in page and "Vous pourrez repasser" not in page


def test_a_completed_plan_without_a_test_asks_for_a_first_one(client, catalogue):
    client.force_login(completed_plan(catalogue))
    page = client.get(reverse("training:plan")).content.decode()
    assert "passez le test de positionnement pour mesurer votre niveau" in page
    assert "repassez" not in page


def test_an_unfinished_plan_suggests_no_test(client, catalogue, framework):
    learner = make_user()
    services.add_to_plan(learner, module=catalogue["students"])
    client.force_login(learner)
    page = client.get(reverse("training:plan")).content.decode()
    assert "passez le test" not in page and "repasser le test" not in page


def test_progress_per_area_counts_completed_hours_against_the_28_hours(
    client, catalogue, framework
):
    learner = completed_plan(catalogue)  # 3 h in D2 and 3 h in D5, completed
    services.add_to_plan(learner, module=catalogue["pros"])  # 7 h in D2, planned
    progress = PlanProgress(hours_per_area(learner, framework))
    assert progress.reference == Decimal(28)
    by_area = {row.area.code: row for row in progress.areas}
    assert (by_area["D2"].planned, by_area["D2"].done, by_area["D2"].percent_done) == (
        Decimal("10.0"),
        Decimal("3.0"),
        60,
    )
    assert progress.done_towards_reference == Decimal(6)
    client.force_login(learner)
    page = client.get(reverse("training:plan")).content.decode()
    assert "6 h terminées sur 28 h" in page
    assert "3 h terminées sur 5 h (60 %), 10 h prévues dans votre plan" in page
    assert page.count("<progress ") == 5
    assert "arrêté du 10 novembre 2022" in page


def test_hours_beyond_an_areas_reference_do_not_make_up_for_another_area(catalogue, framework):
    from tests.training.conftest import make_module

    learner = make_user()
    long_module = make_module("cyber-long", catalogue["private"], ["D2.C2.1"], hours=12)
    services.set_progress(services.add_to_plan(learner, module=long_module), "completed")
    progress = PlanProgress(hours_per_area(learner, framework))
    assert progress.done == Decimal(12) and progress.done_towards_reference == Decimal(5)
    assert {row.area.code: row.percent_done for row in progress.areas}["D2"] == 100


def test_the_plan_lists_entries_as_cards_each_with_a_labelled_progress_field(client, catalogue):
    learner = make_user()
    entry = services.add_to_plan(learner, module=catalogue["students"])
    client.force_login(learner)
    page = client.get(reverse("training:plan")).content.decode()
    # The bug at 390 px: a visually hidden label sat in a table wider than the screen and,
    # absolutely positioned, widened the page. Entries are cards now, with a visible label.
    assert "<table>\n  <caption>Modules et ressources" not in page
    assert f'<label for="progress-{entry.pk}" class="field__label">Avancement</label>' in page
