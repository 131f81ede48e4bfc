"""The seed replay (tests/support/replay.py): a replay gives the rows of a real load, ids
included, each test's edits stay in that test, and a load is only replayed where it would
give the same rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from palier.frameworks import seed as framework_seed
from palier.frameworks.models import Area, Capacity, Framework, Population, TargetLevel
from palier.items import seed as item_seed
from palier.items.models import Calibration, Item, ItemParameter, ItemVersion
from tests.support import replay

pytestmark = pytest.mark.django_db
MODELS = (Framework, Area, Capacity, Population, TargetLevel, Calibration, Item, ItemVersion)


def rows() -> dict[str, list[tuple]]:
    """Every row of the seeded tables, ids included, timestamps left out."""
    return {
        model.__name__: [
            tuple(v for v in row.values() if not isinstance(v, dt.datetime))
            for row in model.objects.order_by("pk").values()
        ]
        for model in (*MODELS, ItemParameter)
    }


def in_a_rolled_back_transaction(load):
    with transaction.atomic():
        result = load()
        seen = rows()
        transaction.set_rollback(True)
    return result, seen


def load_both(key: str):
    framework = replay.replayed(key + " framework", framework_seed.load_framework_seed).framework
    return replay.replayed(key + " items", lambda: item_seed.load_item_seed(framework))


def test_a_replay_gives_the_rows_of_the_real_load_and_fresh_timestamps():
    real, real_rows = in_a_rolled_back_transaction(lambda: load_both("rows"))
    assert Item.objects.count() == 0
    started = timezone.now()
    again, replayed_rows = in_a_rolled_back_transaction(lambda: load_both("rows"))
    assert replayed_rows == real_rows
    assert len(real_rows["Item"]) == len(real.imported.created) > 500
    assert again.imported == real.imported
    assert again.calibration.pk == real.calibration.pk
    with transaction.atomic():
        load_both("rows")
        assert Item.objects.filter(created_at__lt=started).count() == 0
        transaction.set_rollback(True)


def test_edits_made_after_a_replay_do_not_reach_the_next_one():
    _, first = in_a_rolled_back_transaction(lambda: load_both("edits"))
    with transaction.atomic():
        load_both("edits")
        Item.objects.update(status=Item.Status.RETIRED)
        ItemParameter.objects.all().delete()
        transaction.set_rollback(True)
    _, again = in_a_rolled_back_transaction(lambda: load_both("edits"))
    assert again == first


def test_no_replay_where_the_tables_it_writes_do_not_hold_what_they_held():
    in_a_rolled_back_transaction(lambda: load_both("state"))
    with transaction.atomic():
        framework = framework_seed.load_framework_seed().framework
        Framework.objects.filter(pk=framework.pk).update(title_fr="Autre titre")
        # The real loader runs (a replay would insert a second copy of the framework): it
        # finds the framework already there and puts its title back.
        again = replay.replayed("state framework", framework_seed.load_framework_seed)
        assert again.framework.pk == framework.pk
        assert Framework.objects.get().title_fr == again.framework.title_fr != "Autre titre"
        transaction.set_rollback(True)


def test_a_load_that_changes_rows_it_did_not_create_is_never_recorded():
    framework = framework_seed.load_framework_seed().framework

    def rename() -> None:
        Framework.objects.filter(pk=framework.pk).update(title_fr="Renommé")

    replay.replayed("rename", rename)
    assert "rename" not in replay._recordings
