"""Calibration runs end to end on answers stored through the ORM (small, fixed seed)."""

from __future__ import annotations

import numpy as np
import pytest

from palier.core.errors import ServiceError
from palier.frameworks.models import Population
from palier.items.models import Calibration, ItemParameter
from palier.psychometrics.models import CalibrationRun, ItemStatistic
from palier.psychometrics.services import activation_blockers, execute_run, start_calibration_run
from tests.factories import make_user
from tests.psychometrics.conftest import abilities, store_attempts

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cheap_impact(monkeypatch):
    """The simulated impact's size does not matter to these tests; one test checks it."""
    monkeypatch.setattr("palier.psychometrics.pipeline.IMPACT_SIMULEES", 20)


def run_all(by, framework, **filters) -> CalibrationRun:
    return execute_run(start_calibration_run(by, framework, scope="all", **filters))


def draft_parameters(run: CalibrationRun) -> dict[int, ItemParameter]:
    return {row.item_version_id: row for row in ItemParameter.objects.filter(calibration=run.draft)}


def test_a_shifted_population_comes_back_on_the_reference_scale(bank, psychometrician):
    rng = np.random.default_rng(11)
    store_attempts(bank, abilities(rng, 400, mean=0.5, sd=1.2), rng)
    run = run_all(psychometrician, bank.framework)
    assert (run.status, run.progress, run.error) == ("ready", 100, "")
    # The draft's own scale is N(0, 1) of this population: theta_ref = 1.2 theta + 0.5.
    for area in ("D1", "D2"):
        link = run.linking["areas"][area]
        assert link["linked"]
        assert link["slope"] == pytest.approx(1.2, abs=0.15)
        assert link["intercept"] == pytest.approx(0.5, abs=0.15)
        assert run.summary["population"][area]["mean"] == pytest.approx(0.5, abs=0.15)
    parameters = draft_parameters(run)
    assert sorted(parameters) == bank.operational_ids
    errors = [parameters[v].difficulty - b for v, (_, _, b) in bank.truth.items()]
    assert np.sqrt(np.mean(np.square(errors))) < 0.2
    assert abs(np.mean(errors)) < 0.1
    ratios = [parameters[v].discrimination / a for v, (_, a, _) in bank.truth.items()]
    assert 0.85 < np.exp(np.mean(np.log(ratios))) < 1.15
    assert all(0.02 < row.se_difficulty < 0.5 for row in parameters.values())
    draft = run.draft
    assert (draft.is_active, draft.source, draft.synthetic) == (False, "estimated", False)
    assert run.summary["counts"]["estimated"] == 20
    assert run.summary["correlation"]["matrix"][0][1] == pytest.approx(0.6, abs=0.15)
    assert set(run.summary["seconds"]) == {
        "read", "calibrate", "link", "fit", "dif", "correlation", "impact", "store"
    }  # fmt: skip
    assert activation_blockers(draft) == []
    assert ItemStatistic.objects.filter(run=run, estimated=True).count() == 20


def test_items_with_too_few_answers_are_listed_and_keep_the_reference_values(
    pretest_bank, psychometrician
):
    rng = np.random.default_rng(12)
    store_attempts(pretest_bank, abilities(rng, 300), rng, parameters=pretest_bank.truth)
    store_attempts(pretest_bank, abilities(rng, 150), rng, parameters=pretest_bank.pretest)
    run = run_all(psychometrician, pretest_bank.framework)
    assert run.status == "ready", run.error
    listed = {row["item_version"]: row["responses"] for row in run.summary["too_few_responses"]}
    assert listed == dict.fromkeys(pretest_bank.pretest, 150)
    parameters = draft_parameters(run)
    for version in pretest_bank.pretest:
        assert (parameters[version].discrimination, parameters[version].difficulty) == (1.0, 0.0)
        statistic = ItemStatistic.objects.get(run=run, item_version_id=version)
        assert (statistic.estimated, statistic.responses) == (False, 150)
        assert statistic.rmsd is None
    assert len(parameters) == 24  # the draft is a complete bank


def test_an_area_with_too_few_anchors_is_left_unlinked_and_blocks_activation(bank, psychometrician):
    rng = np.random.default_rng(13)
    d2 = [v for v, (area, _, _) in bank.truth.items() if area == "D2"][:3]
    answered = {v: row for v, row in bank.truth.items() if row[0] == "D1" or v in d2}
    store_attempts(bank, abilities(rng, 300), rng, parameters=answered)
    run = run_all(psychometrician, bank.framework)
    assert run.status == "ready", run.error
    assert run.linking["areas"]["D1"]["linked"]
    assert not run.linking["areas"]["D2"]["linked"]
    assert [b["code"] for b in activation_blockers(run.draft)] == ["area_not_linked"]
    assert "D2" in run.summary["blocking"][0]["message"]


def test_dif_flags_the_item_simulated_with_dif_and_not_the_others(bank, psychometrician):
    rng = np.random.default_rng(14)
    focal, reference = Population.objects.order_by("position", "code")[:2]
    shifted = bank.operational_ids[3]
    harder = dict(bank.truth)
    area, a, b = harder[shifted]
    harder[shifted] = (area, a, b + 1.5)
    store_attempts(bank, abilities(rng, 400), rng, parameters=harder, population=focal)
    store_attempts(bank, abilities(rng, 400), rng, population=reference)
    run = run_all(psychometrician, bank.framework)
    assert run.status == "ready", run.error
    statistics = {s.item_version_id: s for s in ItemStatistic.objects.filter(run=run)}
    flagged = statistics[shifted].dif["population"]
    assert flagged["class"] == "C"
    assert next(g for g in flagged["groups"] if g["focal"] == focal.code)["delta"] < -1.5
    others = {
        statistics[v].dif["population"]["class"] for v in bank.operational_ids if v != shifted
    }
    assert others == {"A"}
    # Everyone took the test in French: the language comparison has no focal group.
    assert statistics[shifted].dif["language"] == {"class": None, "groups": []}
    assert not statistics[shifted].ready_for_review


def test_a_run_without_matching_answers_fails_and_leaves_no_calibration(bank, psychometrician):
    rng = np.random.default_rng(15)
    store_attempts(bank, abilities(rng, 50), rng, synthetic=True)
    before = Calibration.objects.count()
    run = run_all(psychometrician, bank.framework)
    assert run.status == "failed"
    assert run.error == "Aucune réponse ne correspond aux filtres choisis."
    assert (Calibration.objects.count(), run.draft) == (before, None)


def test_a_failure_while_storing_leaves_no_half_made_calibration(
    bank, psychometrician, monkeypatch
):
    rng = np.random.default_rng(16)
    store_attempts(bank, abilities(rng, 300), rng)
    before = (Calibration.objects.count(), ItemParameter.objects.count())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full: learner x@example.org")

    monkeypatch.setattr(ItemStatistic.objects, "bulk_create", broken)
    run = run_all(psychometrician, bank.framework)
    assert run.status == "failed"
    assert "Enregistrement du brouillon" in run.error and "RuntimeError" in run.error
    assert "example.org" not in run.error
    assert (Calibration.objects.count(), ItemParameter.objects.count()) == before
    assert not ItemStatistic.objects.filter(run=run).exists()


def test_a_finished_run_is_not_run_twice(bank, psychometrician):
    rng = np.random.default_rng(17)
    store_attempts(bank, abilities(rng, 300), rng)
    run = run_all(psychometrician, bank.framework)
    again = execute_run(run)
    assert (again.status, again.draft_id) == ("ready", run.draft_id)
    assert Calibration.objects.filter(source="estimated", is_active=False).count() == 1


@pytest.mark.parametrize("roles", [(), ("author",)])
def test_only_psychometricians_start_a_run(bank, roles):
    with pytest.raises(ServiceError) as refused:
        start_calibration_run(make_user(roles=roles), bank.framework, scope="all")
    assert (refused.value.status, refused.value.code) == (403, "forbidden")
    assert not CalibrationRun.objects.exists()


def test_bad_filters_are_refused_with_a_clear_code(bank, psychometrician):
    import datetime

    cases = [
        ({"scope": "everything"}, "invalid_scope"),
        (
            {
                "scope": "all",
                "period_start": datetime.date(2026, 10, 2),
                "period_end": datetime.date(2026, 10, 1),
            },
            "invalid_period",
        ),
        ({"scope": "all", "populations": ["no-such-population"]}, "unknown_population"),
    ]
    for filters, code in cases:
        with pytest.raises(ServiceError) as refused:
            start_calibration_run(psychometrician, bank.framework, **filters)
        assert (refused.value.status, refused.value.code) == (422, code)
    Calibration.objects.update(is_active=False)
    with pytest.raises(ServiceError) as refused:
        start_calibration_run(psychometrician, bank.framework, scope="all")
    assert (refused.value.status, refused.value.code) == (409, "no_active_calibration")
    assert not CalibrationRun.objects.exists()


def test_a_run_records_its_reference_and_filters_and_is_queued(bank, psychometrician):
    import datetime

    population = Population.objects.order_by("code").first()
    run = start_calibration_run(
        psychometrician,
        bank.framework,
        scope="all",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        populations=[population.code],
        synthetic=True,
    )
    assert (run.status, run.reference, run.synthetic) == ("queued", bank.reference, True)
    assert list(run.populations.all()) == [population]


@pytest.mark.slow
def test_the_simulated_impact_compares_the_draft_and_the_active_bank(
    bank, psychometrician, monkeypatch
):
    monkeypatch.setattr("palier.psychometrics.pipeline.IMPACT_SIMULEES", 100)
    rng = np.random.default_rng(18)
    store_attempts(bank, abilities(rng, 300), rng)
    run = run_all(psychometrician, bank.framework)
    impact = run.summary["impact"]
    assert impact["simulees"] == 100 and impact["areas"] == ["D1", "D2"]
    for bank_name in ("draft", "active"):
        result = impact[bank_name]
        assert 10 <= result["mean_length"] <= 20  # min_items 10; 20 items in all
        for area in ("D1", "D2"):
            assert 0.3 < result["areas"][area]["exact_level"] <= 1
            assert 0.2 < result["areas"][area]["mean_se"] < 1
