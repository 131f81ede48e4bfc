"""The statistics section of the item page (authoring site), for psychometricians."""

import datetime

import numpy as np
import pytest
from django.db.models import F
from django.urls import reverse

from palier.accounts.roles import Role
from palier.assessments.models import Response
from palier.items.models import Item, ItemParameter, ProblemReport
from palier.psychometrics.item_statistics import item_statistics
from tests.factories import make_user
from tests.psychometrics.conftest import abilities, store_attempts

pytestmark = pytest.mark.django_db


@pytest.fixture
def shown_item(bank):
    """D1-O00 shown in six real attempts (42 s each) and two simulated ones, reported once."""
    rng = np.random.default_rng(3)
    store_attempts(bank, abilities(rng, 6), rng)
    store_attempts(bank, abilities(rng, 2), rng, synthetic=True)
    item = Item.objects.get(code="D1-O00")
    Response.objects.filter(item_version__item=item).update(
        answered_at=F("shown_at") + datetime.timedelta(seconds=42)
    )
    version = item.latest_version()
    ItemParameter.objects.filter(item_version=version).update(
        se_discrimination=0.125, se_difficulty=0.25
    )
    ProblemReport.objects.create(item_version=version, category="unclear")
    return item


def test_the_figures_count_real_attempts_only_in_four_queries(
    shown_item, django_assert_num_queries
):
    with django_assert_num_queries(4):
        statistics = item_statistics(shown_item)
    (version,) = statistics.versions
    assert statistics.tests == 6 and version.answers == 6
    assert version.mean_seconds == pytest.approx(42)
    assert version.reports == 1 and version.open_reports == 1
    right = Response.objects.filter(
        item_version__item=shown_item, attempt__synthetic=False, correct=True
    ).count()
    assert version.right == right
    assert statistics.parameter.se_difficulty == 0.25


def test_psychometricians_see_the_statistics_on_the_item_page_and_authors_do_not(
    client, shown_item, psychometrician
):
    url = reverse("authoring:items_item_change", args=[shown_item.pk])
    client.force_login(psychometrician)
    content = client.get(url).content.decode()
    assert "Statistiques (psychométrie)" in content
    assert "Montré dans 6 tests" in content and "42 s" in content
    assert "0,25" in content and "0,13" in content  # standard errors, French decimals
    assert "1 (1)" in content  # one report, still open
    client.force_login(make_user("auteur@example.org", roles=(Role.AUTHOR,)))
    assert "Statistiques (psychométrie)" not in client.get(url).content.decode()
