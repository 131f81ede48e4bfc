"""`palier demo_steering`: demo institutions whose learners make the national dashboard
live (reached figures in several regions, overseas included, some cells hidden, demo data
marked), written once, readable by every reader of attempts, and removed with the demo."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db.models import F
from django.urls import reverse

from palier.accounts.demo import DEMO_DOMAIN
from palier.accounts.models import User
from palier.accounts.roles import Role
from palier.assessments.models import Attempt
from palier.assessments.rescoring import rescore
from palier.assessments.results import result_of
from palier.campaigns.models import Participation
from palier.organisations.models import Organisation
from palier.steering.aggregates import refresh
from palier.steering.award_seed import load_award_seed
from palier.steering.demo_activity import (
    DEMO_STOP_REASON,
    load_demo_activity,
    remove_demo_activity,
)
from palier.steering.indicators import moments
from palier.steering.models import AwardCampaign, Enrolment, Feedback
from palier.training.models import PlanEntry
from palier.training.seed import load_catalogue_seed
from tests.factories import make_user

pytestmark = pytest.mark.django_db

YEAR = 2025
# Small sizes keep the test fast; the smallest institutions stay under the threshold.
SCALE = 0.4


@pytest.fixture
def demo(framework):
    from tests.support.seeds import load_item_seed

    load_item_seed(framework)
    load_catalogue_seed(framework)
    load_award_seed(demo=True)
    done = load_demo_activity(scale=SCALE, years=[YEAR])
    refresh([YEAR])
    return done


def regions_csv(client) -> dict[str, list[str]]:
    response = client.get(reverse("steering:export", args=["regions", "csv"]), {"annee": YEAR})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode().removeprefix("\ufeff")
    return {row[0]: row for row in csv.reader(io.StringIO(text), delimiter=";")}


def test_demo_activity_makes_the_dashboard_live_once_and_goes_with_the_demo(client, demo):
    assert demo.institutions >= 30
    assert demo.attempts and demo.plan_entries and demo.feedback
    client.force_login(make_user("pilotage@example.org", roles=(Role.STEERING,)))
    response = client.get("/pilotage/", {"annee": YEAR})
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    content = response.content.decode()
    assert "Données de démonstration" in content
    assert "masqué" in content
    rows = regions_csv(client)
    reached = rows["Région"].index("Touchés")
    shown = {name for name, row in rows.items() if row[reached].isdigit()}
    assert {"Île-de-France", "Occitanie", "Bretagne", "La Réunion"} <= shown
    assert int(rows["La Réunion"][reached]) >= 10
    # The small institute of Mayotte keeps its figures hidden.
    assert rows["Mayotte"][reached] == "" and "masqué" in rows["Mayotte"][-1]
    # The feedback page has figures.
    opinions = client.get("/pilotage/avis/")
    assert opinions.status_code == 200
    assert "feedback-comments" in opinions.content.decode()
    faithful_data_inside_the_year(demo)
    a_second_run_adds_nothing()
    removing_the_demo_removes_the_demo_activity()


def faithful_data_inside_the_year(demo):
    start, end = moments(YEAR)
    attempts = Attempt.objects.filter(stop_reason=DEMO_STOP_REASON)
    assert attempts.count() == demo.attempts
    assert not attempts.filter(synthetic=True).exists()
    assert not attempts.exclude(finished_at__gte=start, finished_at__lt=end).exists()
    assert not attempts.filter(responses__isnull=False).exists()
    for attempt in attempts[:50]:
        result = result_of(attempt)
        assert {measure.code for measure in result.areas} == set(attempt.areas)
        assert attempt.started_at < attempt.finished_at
    # A demo attempt has nothing to rescore, and says so.
    checked = rescore(attempts.first())
    assert not checked.matches and checked.lines == ["No stored responses."]
    assert Participation.objects.filter(attempt__in=attempts).count() == demo.attempts
    entries = PlanEntry.objects.filter(user__email__endswith=f"@{DEMO_DOMAIN}")
    assert entries.count() == demo.plan_entries
    assert not entries.exclude(completed_at__gte=start, completed_at__lt=end).exists()
    assert not entries.filter(added_at__gt=F("completed_at")).exists()
    assert not entries.filter(added_at__lt=start).exists()
    assert Feedback.objects.count() == demo.feedback
    assert AwardCampaign.objects.filter(campaign__organisation__is_demo=True).exists()
    demo_places = Organisation.objects.filter(is_demo=True)
    assert Enrolment.objects.filter(organisation__in=demo_places).exists()
    regions = set(demo_places.values_list("region", flat=True))
    assert {"01", "02", "03", "04", "06"} <= regions
    # Practising professionals of the continuing-education providers.
    assert User.objects.filter(
        profile__status__in=["self_employed", "public_sector", "private_sector"],
        email__endswith=f"@{DEMO_DOMAIN}",
    ).exists()


def a_second_run_adds_nothing():
    users, attempts = User.objects.count(), Attempt.objects.count()
    again = load_demo_activity(scale=SCALE, years=[YEAR])
    assert (again.campaigns, again.learners, again.attempts, again.feedback) == (0, 0, 0, 0)
    assert (User.objects.count(), Attempt.objects.count()) == (users, attempts)


def removing_the_demo_removes_the_demo_activity():
    call_command("remove_demo_accounts", stdout=io.StringIO())
    assert not User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()
    assert not Attempt.objects.exists()
    assert not Feedback.objects.exists()
    assert not Organisation.objects.filter(slug__startswith="demo-etab-").exists()
    assert remove_demo_activity() == 0


def test_the_command_needs_debug(settings, framework):
    settings.DEBUG = False
    with pytest.raises(Exception, match="PALIER_DEBUG"):
        call_command("demo_steering")


def test_the_demo_organisations_award_counts_its_learners_and_later_sessions(client, framework):
    """Regression: the demo organisation's generated participants had no attempt, so its
    award page showed no learner reached, and the sessions of `palier demo_certification`
    (run after the award seed) were never attached to its award."""
    from palier.campaigns.generate import generate_participants
    from palier.items.seed import load_item_seed
    from palier.organisations.choices import MembershipRole
    from palier.organisations.demo import load_demo_organisation
    from palier.steering.demo_activity import _context, _demo_organisation
    from palier.steering.models import Award, AwardSession
    from tests.certification.factories import make_centre, make_session
    from tests.factories import make_member
    from tests.steering.reach_factories import campaign

    load_item_seed(framework)
    institute = load_demo_organisation()
    bilan = campaign(institute, moments(YEAR)[0].date(), moments(YEAR)[1].date())
    generate_participants(bilan, 30, seed=3)
    load_award_seed(demo=True)
    award = Award.objects.get(organisation=institute)
    later = make_session(make_centre(institute), framework)  # after the award seed
    finished = Participation.objects.filter(campaign=bilan, finished_at__isnull=False)

    added = _demo_organisation(_context(framework))
    assert added == finished.count() > 0
    assert not finished.filter(attempt__isnull=True).exists()
    assert all(p.attempt.finished_at == p.finished_at for p in finished.select_related("attempt"))
    assert AwardSession.objects.filter(award=award, session=later).exists()
    assert _demo_organisation(_context(framework)) == 0  # once

    # Its staff see the learners who finished the test as reached on the award's page.
    client.force_login(make_member(institute, MembershipRole.ADMIN))
    page = client.get(reverse("awards:detail", args=[award.code]), {"annee": YEAR})
    assert page.status_code == 200
    (year_row,) = (row for row in page.context["by_year"].rows if row.key == str(YEAR))
    assert year_row.cells[1].value == added
