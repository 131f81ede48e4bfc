"""The national steering dataset generator, at a tiny scale (PostgreSQL: it loads with COPY)."""

import pytest
from benchmarks.steering_data import EMAIL_DOMAIN, Sizes, generate
from django.db.models import F

from palier.accounts.choices import Region
from palier.accounts.models import LearnerProfile, User
from palier.assessments.models import Attempt
from palier.assessments.results import result_of
from palier.campaigns.models import Participation, SharedLevel
from palier.certification.models import Certificate
from palier.items.models import Calibration
from palier.organisations.models import Organisation
from palier.steering.indicators import reached_user_ids
from palier.steering.models import Award, Enrolment
from palier.training.models import PlanEntry
from palier.training.seed import load_catalogue_seed

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LEARNERS = 200
POOL = 40  # distinct stored results: enough for a smoke test, fast to build


def test_a_tiny_national_dataset_has_its_rows_and_results_that_the_app_reads(
    database_vendor, framework
):
    if database_vendor != "postgres":
        pytest.skip("bulk-loaded with PostgreSQL's COPY: run with --database=postgres")
    load_catalogue_seed(framework)
    Calibration.objects.create(
        name="provisoire", framework=framework, source="provisional", is_active=True
    )
    sizes = Sizes.of(LEARNERS)

    report = generate(sizes, seed=3, pool_size=POOL)

    assert User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").count() == LEARNERS
    assert LearnerProfile.objects.count() == LEARNERS
    assert Organisation.objects.filter(slug__startswith="bench-").count() == sizes.institutions
    assert Attempt.objects.filter(status="finished").count() == sizes.attempts
    assert PlanEntry.objects.count() == sizes.plan_entries
    assert Certificate.objects.count() == sizes.certificates
    assert Award.objects.count() == sizes.awards
    assert Enrolment.objects.exists()
    assert report.tables["assessments_attempt"]["rows"] == sizes.attempts
    # Rows were linked by the generator's own ids (foreign-key triggers were off): each
    # participation's attempt is its learner's, and each shared one has its five levels.
    participations = Participation.objects.all()
    assert participations.filter(attempt__user=F("user")).count() == participations.count()
    shared = participations.filter(status="shared")
    assert SharedLevel.objects.count() == 5 * shared.count() > 0
    assert set(LearnerProfile.objects.values_list("region", flat=True)) <= set(Region.values)
    for attempt in Attempt.objects.all():
        levels = result_of(attempt).levels()
        assert sorted(levels) == ["D1", "D2", "D3", "D4", "D5"]
        assert all(1 <= level <= 5 for level in levels.values())
    assert reached_user_ids(2025).count() > 0
