"""The indicator definitions on small hand-made cases: who counts as reached, assessed,
certified per academic year (Paris time), and who never counts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from palier.assessments.models import Attempt, Purpose
from palier.steering import indicators
from tests.factories import make_organisation
from tests.steering.reach_factories import at, certificate, completion, learner, module, positioning

pytestmark = pytest.mark.django_db


def users(queryset) -> set[int]:
    return set(queryset.values_list(queryset.query.values_select[0], flat=True))


def test_a_test_finished_on_31_august_late_evening_in_paris_counts_in_the_year_ending(framework):
    late = learner("soins-infirmiers")
    early = learner("soins-infirmiers")
    # 31 August 23:30 in Paris is 21:30 UTC: still 2024-2025.
    positioning(late, at(2025, 8, 31, 23, 30))
    # 1 September 00:10 in Paris (22:10 UTC on 31 August): already 2025-2026.
    positioning(early, at(2025, 9, 1, 0, 10))
    assert users(indicators.assessed_user_ids(2024)) == {late.pk}
    assert users(indicators.assessed_user_ids(2025)) == {early.pk}


def test_synthetic_unfinished_and_certification_attempts_never_count(framework):
    real, synthetic, unfinished, exam = (learner() for _ in range(4))
    moment = at(2025, 10, 1)
    positioning(real, moment)
    positioning(synthetic, moment, synthetic=True)
    positioning(unfinished, moment, status=Attempt.Status.IN_PROGRESS)
    positioning(exam, moment, purpose=Purpose.CERTIFICATION)
    assert users(indicators.assessed_user_ids(2025)) == {real.pk}
    assert users(indicators.reached_user_ids(2025)) == {real.pk}


def test_reached_is_assessed_or_trained_on_a_mapped_module_each_learner_once(framework):
    provider = make_organisation("Organisme")
    mapped, unmapped = module(provider, hours="2.5"), module(provider, mapped=False)
    both, trained, unmapped_only = learner(), learner(), learner()
    positioning(both, at(2025, 11, 1))
    completion(both, mapped, at(2025, 12, 1))
    completion(trained, mapped, at(2026, 1, 5))
    completion(unmapped_only, unmapped, at(2026, 1, 5))
    reached = sorted(users(indicators.reached_user_ids(2025)))
    assert reached == sorted([both.pk, trained.pk])
    assert users(indicators.trained_user_ids(2025)) == {both.pk, trained.pk}
    # A module without any capacity never counts, in reach or hours.
    assert indicators.trained_hours(2025) == Decimal("5.0")
    assert users(indicators.reached_user_ids(2024)) == set()


def test_a_revoked_certificate_never_counts_and_the_issue_date_sets_the_year(framework):
    kept, revoked, older = learner(), learner(), learner()
    certificate(kept, at(2026, 3, 1))
    certificate(revoked, at(2026, 3, 1), revoked=True)
    certificate(older, at(2025, 8, 31, 22))
    assert users(indicators.certified_user_ids(2025)) == {kept.pk}
    assert users(indicators.certified_user_ids(2024)) == {older.pk}


def test_practising_statuses_are_the_three_working_situations():
    assert set(indicators.PRACTISING_STATUSES) == {
        "self_employed",
        "public_sector",
        "private_sector",
    }
