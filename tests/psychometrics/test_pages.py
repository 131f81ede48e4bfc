"""The psychometrician's calibration pages: who may see them, what the review shows, and
activation and roll-back through the pages (with their audit rows). Runs are built as rows,
the way the calibration pipeline leaves them, and once through the pipeline itself. The
`psychometrician` and `bank` fixtures are the package's (conftest.py)."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from palier.accounts.roles import Role
from palier.frameworks.models import Capacity, Framework, Population
from palier.items.calibrations import activate_calibration
from palier.items.models import Calibration, CalibrationActivation, Item, ItemParameter, ItemVersion
from palier.psychometrics.models import CalibrationRun, ItemStatistic
from palier.psychometrics.queries import PARAMETERS_PER_PAGE
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SYNTHETIC_NOTICE = (
    "Données simulées : ces paramètres ne viennent pas de réponses de personnes réelles."
)


# --- data as the pipeline leaves it ---------------------------------------------------------


def make_items(framework: Framework, per_area: int = 3, prefix: str = "Q") -> list[ItemVersion]:
    """`per_area` operational items (codes `<capacity>-<prefix>NNN`) in the first capacity of
    each area, one version each; their versions, by item code."""
    capacities = {}
    for capacity in Capacity.objects.filter(competence__area__framework=framework).order_by(
        "competence__area__number", "competence__position", "position"
    ):
        capacities.setdefault(capacity.competence.area_id, capacity)
    items = Item.objects.bulk_create(
        Item(
            code=f"{capacity.code}-{prefix}{index:03d}",
            capacity=capacity,
            intended_level=3,
            status=Item.Status.OPERATIONAL,
        )
        for capacity in capacities.values()
        for index in range(per_area)
    )
    ItemVersion.objects.bulk_create(
        ItemVersion(
            item=item,
            number=1,
            format="single_choice",
            capacity=item.capacity,
            intended_level=3,
            stem_fr=f"Énoncé {item.code}",
            definition={},
        )
        for item in Item.objects.filter(code__in=[item.code for item in items])
    )
    return list(
        ItemVersion.objects.filter(item__code__in=[item.code for item in items])
        .select_related("item")
        .order_by("item__code")
    )


def make_calibration(
    framework: Framework,
    versions: list[ItemVersion],
    *,
    name: str,
    shift: float = 0.0,
    synthetic: bool = False,
    estimated: bool = True,
) -> Calibration:
    calibration = Calibration.objects.create(
        framework=framework,
        name=name,
        source="estimated" if estimated else "provisional",
        synthetic=synthetic,
    )
    ItemParameter.objects.bulk_create(
        ItemParameter(
            calibration=calibration,
            item_version=version,
            discrimination=1.0 + 0.05 * (index % 7),
            difficulty=-1.5 + 0.25 * (index % 13) + shift,
            se_discrimination=0.08 if estimated else None,
            se_difficulty=0.11 if estimated else None,
        )
        for index, version in enumerate(versions)
    )
    return calibration


def make_run(
    framework: Framework,
    versions: list[ItemVersion],
    *,
    reference: Calibration | None,
    draft: Calibration | None,
    status: str = CalibrationRun.Status.READY,
    blocking: tuple[str, ...] = (),
    synthetic: bool = False,
    by=None,
) -> CalibrationRun:
    area_codes = sorted({version.capacity.code.split(".")[0] for version in versions})
    run = CalibrationRun.objects.create(
        framework=framework,
        requested_by=by,
        scope=CalibrationRun.Scope.ALL,
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 11, 30),
        synthetic=synthetic,
        reference=reference,
        draft=draft,
        status=status,
        progress=100 if status == CalibrationRun.Status.READY else 40,
        progress_message="" if status == CalibrationRun.Status.READY else "Estimation",
        linking={
            "method": "stocking_lord",
            "drift_threshold": 0.3,
            "min_anchors": 5,
            "areas": {
                code: {
                    "linked": True,
                    "slope": 1.0312,
                    "intercept": -0.2487,
                    "mean_sigma_slope": 1.04,
                    "mean_sigma_intercept": -0.25,
                    "criterion": 0.0004,
                    "anchors_used": [v.pk for v in versions[1:]],
                    "anchors_dropped": [{"item_version": versions[0].pk, "displacement": 0.45}],
                }
                for code in area_codes
            },
        },
        summary={
            "model": "2PL",
            "min_responses": 200,
            "counts": {"attempts": 1200, "responses": 36000, "estimated": len(versions) - 1},
            "too_few_responses": [{"item_version": versions[0].pk, "responses": 150}],
            "convergence": {"converged": True, "iterations": 57},
            "correlation": {
                "areas": area_codes,
                "matrix": [
                    [1.0 if i == j else 0.61 for j in range(len(area_codes))]
                    for i in range(len(area_codes))
                ],
            },
            "impact": {
                "simulees": 300,
                "areas": area_codes,
                "draft": {
                    "mean_length": 31.4,
                    "areas": {
                        code: {"exact_level": 0.7433, "within_one_level": 0.99, "mean_se": 0.36}
                        for code in area_codes
                    },
                },
                "active": {
                    "mean_length": 38.2,
                    "areas": {
                        code: {"exact_level": 0.61, "within_one_level": 0.97, "mean_se": 0.45}
                        for code in area_codes
                    },
                },
            },
            "blocking": [
                {"code": "area_not_linked", "area": "D3", "message": message}
                for message in blocking
            ],
            "seconds": {"read": 1.2, "calibrate": 8.5},
        },
    )
    population = Population.objects.order_by("position", "code").first()
    statistics = []
    for index, version in enumerate(versions):
        dif = {
            "language": {
                "class": "A",
                "groups": [
                    {
                        "focal": "en",
                        "reference": "fr",
                        "class": "A",
                        "delta": -0.4,
                        "p_value": 0.3,
                        "n_focal": 120,
                        "n_reference": 700,
                    }
                ],
            }
        }
        if index == 1:
            dif["population"] = {
                "class": "C",
                "groups": [
                    {
                        "focal": population.code,
                        "reference": "others",
                        "class": "C",
                        "delta": -1.72,
                        "p_value": 0.0001,
                        "n_focal": 350,
                        "n_reference": 550,
                    },
                    {
                        "focal": "autre",
                        "reference": "others",
                        "class": None,
                        "note": "not_enough_data",
                    },
                ],
            }
        if index == 2:
            dif["status"] = {
                "class": "B",
                "groups": [
                    {
                        "focal": "student",
                        "reference": "others",
                        "class": "B",
                        "delta": 1.1,
                        "p_value": 0.01,
                        "n_focal": 310,
                        "n_reference": 590,
                    }
                ],
            }
        statistics.append(
            ItemStatistic(
                run=run,
                item_version=version,
                responses=150 if index == 0 else 900,
                proportion_correct=0.62,
                estimated=index != 0,
                rmsd=0.12 if index == 3 else 0.03,
                fit_p_value=0.001 if index == 3 else 0.4,
                misfit=index == 3,
                dif=dif,
            )
        )
    ItemStatistic.objects.bulk_create(statistics)
    return run


@pytest.fixture
def versions(framework):
    return make_items(framework)


@pytest.fixture
def active(framework, versions):
    calibration = make_calibration(framework, versions, name="Provisoire", estimated=False)
    activate_calibration(calibration)
    return calibration


@pytest.fixture
def ready_run(framework, versions, active, psychometrician):
    draft = make_calibration(framework, versions, name="Calibration 2026", shift=0.2)
    return make_run(framework, versions, reference=active, draft=draft, by=psychometrician)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- who may see the pages -------------------------------------------------------------------


def page_urls(run: CalibrationRun) -> list[str]:
    return [
        reverse("psychometrics:calibrations"),
        reverse("psychometrics:start"),
        reverse("psychometrics:run", args=[run.pk]),
        reverse("psychometrics:run_status", args=[run.pk]),
    ]


@pytest.mark.parametrize("roles", [(), (Role.AUTHOR,), (Role.ADMINISTRATOR,)])
def test_learners_authors_and_administrators_are_refused_every_calibration_page(ready_run, roles):
    client = signed_in(make_user("other@example.org", roles=roles))
    for url in page_urls(ready_run):
        assert client.get(url).status_code == 403, url
    activate = reverse("psychometrics:activate", args=[ready_run.pk])
    assert client.post(activate, {"reason": "Essai"}).status_code == 403
    roll_back = reverse("psychometrics:roll_back", args=[ready_run.framework_id])
    assert (
        client.post(roll_back, {f"retour-{ready_run.framework_id}-reason": "x"}).status_code == 403
    )
    assert not ready_run.draft.activations.exists()


def test_anonymous_visitors_are_sent_to_the_login_page(ready_run):
    response = Client().get(reverse("psychometrics:calibrations"))
    assert response.status_code == 302
    assert "/compte/connexion/" in response["Location"]


def test_psychometricians_open_every_page_and_find_it_in_their_menu(ready_run, psychometrician):
    client = signed_in(psychometrician)
    for url in page_urls(ready_run):
        assert client.get(url).status_code == 200, url
    with translation.override("en"):
        english = [
            reverse("psychometrics:calibrations"),
            reverse("psychometrics:run", args=[ready_run.pk]),
        ]
    for url in english:
        assert url.startswith("/en/") and client.get(url).status_code == 200, url
    menu = client.get(reverse("psychometrics:calibrations")).content.decode()
    assert f'href="{reverse("psychometrics:calibrations")}" aria-current="page"' in menu
    assert 'href="/psychometrie/' not in signed_in(make_user()).get("/").content.decode()


def test_runs_are_listed_on_the_authoring_site_for_psychometricians_only(
    ready_run, psychometrician
):
    url = "/auteur/psychometrics/calibrationrun/"
    listing = signed_in(psychometrician).get(url)
    assert listing.status_code == 200
    assert reverse("psychometrics:run", args=[ready_run.pk]) in listing.content.decode()
    author = make_user("auteur@example.org", roles=(Role.AUTHOR,))
    assert signed_in(author).get(url).status_code == 403


def test_an_unknown_run_is_not_found(psychometrician):
    assert (
        signed_in(psychometrician).get(reverse("psychometrics:run", args=[999])).status_code == 404
    )


# --- the calibrations page -------------------------------------------------------------------


def test_the_calibrations_page_lists_the_active_calibration_runs_and_history(
    framework, versions, ready_run, active, psychometrician
):
    page = signed_in(psychometrician).get(reverse("psychometrics:calibrations")).content.decode()
    assert "Provisoire" in page and "Calibration 2026" in page
    assert "Brouillon prêt" in page
    assert "Activation par le système (données de départ)." in page
    assert "brouillon jamais activé" in page
    assert SYNTHETIC_NOTICE not in page
    # Nothing to roll back to yet.
    assert reverse("psychometrics:roll_back", args=[framework.pk]) not in page


def test_a_synthetic_active_calibration_is_labelled_on_the_calibrations_page(
    framework, versions, psychometrician
):
    pilot = make_calibration(framework, versions, name="Pilote simulé", synthetic=True)
    activate_calibration(pilot)
    page = signed_in(psychometrician).get(reverse("psychometrics:calibrations")).content.decode()
    assert "données simulées" in page
    assert SYNTHETIC_NOTICE in page


# --- the review page -------------------------------------------------------------------------


def test_the_review_shows_parameters_with_their_change_and_every_check(
    ready_run, versions, psychometrician
):
    page = (
        signed_in(psychometrician)
        .get(reverse("psychometrics:run", args=[ready_run.pk]))
        .content.decode()
    )
    first = versions[0].item.code
    assert "Revue du brouillon « Calibration 2026 »" in page
    # Parameters, standard errors, change (+0.20 on b for every item) and the chart.
    assert page.count("+0,20") >= len(versions)
    assert "0,11" in page
    assert '<svg class="dash-chart calibration-scatter"' in page
    assert page.count('<circle class="calibration-point"') == len(versions) - 1
    assert page.count("calibration-point--copied") == 1
    # Fit: the flagged item only.
    assert "1 question mal ajustée" in page and "0,120" in page
    # DIF: classes C and B listed, A not by default.
    assert "-1,72" in page
    assert "+1,10" in page
    assert "En formation (étudiant ou élève)" in page
    assert Population.objects.order_by("position", "code").first().title in page
    assert "350 / 550" in page and "les autres" in page
    assert "1 comparaison n'a pas été faite" in page
    assert "anglais" not in page
    # Too few responses, linking with the dropped anchor, correlation, impact.
    assert f'{first} <span class="dash-hidden">v1</span></th><td class="dash-num">150' in page
    assert "1,031" in page and f"{first} v1 (+0,45)" in page
    assert "2PL" in page and "57" in page
    assert "0,61" in page
    assert "74 %" in page and "61 %" in page and "31,4" in page and "38,2" in page
    assert "99 %" in page and "0,36" in page
    assert SYNTHETIC_NOTICE not in page
    assert 'action="' + reverse("psychometrics:activate", args=[ready_run.pk]) in page


def test_every_dif_comparison_is_listed_when_asked(ready_run, psychometrician):
    url = reverse("psychometrics:run", args=[ready_run.pk]) + "?dif=tous"
    page = signed_in(psychometrician).get(url).content.decode()
    assert "anglais" in page and "français" in page


def test_a_synthetic_draft_says_so_on_its_review(framework, versions, active, psychometrician):
    draft = make_calibration(framework, versions, name="Pilote", synthetic=True)
    run = make_run(framework, versions, reference=active, draft=draft, synthetic=True)
    page = signed_in(psychometrician).get(reverse("psychometrics:run", args=[run.pk]))
    assert SYNTHETIC_NOTICE in page.content.decode()


def test_a_blocked_draft_offers_no_activation_and_says_why(
    framework, versions, active, psychometrician
):
    draft = make_calibration(framework, versions, name="Bloqué", shift=0.1)
    run = make_run(
        framework,
        versions,
        reference=active,
        draft=draft,
        blocking=("D3 : trop peu d'ancres pour la liaison (3 sur 5).",),
    )
    page = signed_in(psychometrician).get(reverse("psychometrics:run", args=[run.pk]))
    html = page.content.decode()
    assert "Ce brouillon ne peut pas être activé" in html
    assert "D3 : trop peu d&#x27;ancres pour la liaison (3 sur 5)." in html
    assert 'action="' + reverse("psychometrics:activate", args=[run.pk]) not in html


def test_the_review_pages_its_parameters_with_a_bounded_number_of_queries(
    framework, psychometrician, django_assert_max_num_queries
):
    client = signed_in(psychometrician)
    small = make_items(framework, per_area=3, prefix="S")
    large = make_items(framework, per_area=30, prefix="L")
    for bank in (small, large):
        reference = make_calibration(framework, bank, name=f"Référence {len(bank)}")
        draft = make_calibration(framework, bank, name=f"Brouillon {len(bank)}", shift=0.1)
        run = make_run(framework, bank, reference=reference, draft=draft)
        url = reverse("psychometrics:run", args=[run.pk])
        with django_assert_max_num_queries(9):
            response = client.get(url)
        assert response.status_code == 200
    page = client.get(url + "?page=2").content.decode()
    pages = -(-len(bank) // PARAMETERS_PER_PAGE)
    assert f"Page 2 sur {pages}" in page
    with django_assert_max_num_queries(7):
        client.get(reverse("psychometrics:calibrations"))


# --- the progress page -----------------------------------------------------------------------


def test_a_running_calibration_refreshes_itself_and_reports_its_progress(
    framework, versions, active, psychometrician
):
    run = make_run(
        framework, versions, reference=active, draft=None, status=CalibrationRun.Status.RUNNING
    )
    client = signed_in(psychometrician)
    html = client.get(reverse("psychometrics:run", args=[run.pk])).content.decode()
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert 'aria-live="polite"' in html and 'value="40"' in html
    assert "En cours : 40 % effectués — Estimation" in html
    state = client.get(reverse("psychometrics:run_status", args=[run.pk])).json()
    assert state == {
        "status": "running",
        "status_label": "En cours",
        "progress": 40,
        "message": "Estimation",
        "text": "En cours : 40 % effectués — Estimation",
        "finished": False,
    }


def test_a_failed_calibration_shows_its_error_and_stops_refreshing(
    framework, versions, active, psychometrician
):
    run = make_run(
        framework, versions, reference=active, draft=None, status=CalibrationRun.Status.FAILED
    )
    CalibrationRun.objects.filter(pk=run.pk).update(error="Aucune réponse dans la période.")
    html = (
        signed_in(psychometrician).get(reverse("psychometrics:run", args=[run.pk])).content.decode()
    )
    assert "Aucune réponse dans la période." in html
    assert "http-equiv" not in html


# --- activation and roll-back ----------------------------------------------------------------


def test_a_psychometrician_activates_a_draft_with_a_reason_and_the_history_says_so(
    ready_run, active, psychometrician
):
    client = signed_in(psychometrician)
    response = client.post(
        reverse("psychometrics:activate", args=[ready_run.pk]),
        {"reason": "  Calibration annuelle 2026  "},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("psychometrics:calibrations")
    draft = Calibration.objects.get(pk=ready_run.draft_id)
    assert draft.is_active and not Calibration.objects.get(pk=active.pk).is_active
    event = CalibrationActivation.objects.get(calibration=draft)
    assert (event.by, event.reason, event.previous, event.action) == (
        psychometrician,
        "Calibration annuelle 2026",
        active,
        "activate",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Calibration annuelle 2026" in page and "psy@example.org" in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_activation_without_a_reason_is_refused_and_changes_nothing(
    ready_run, active, psychometrician, reason
):
    response = signed_in(psychometrician).post(
        reverse("psychometrics:activate", args=[ready_run.pk]), {"reason": reason}
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert Calibration.objects.get(pk=active.pk).is_active
    assert not CalibrationActivation.objects.filter(calibration_id=ready_run.draft_id).exists()


def test_activation_is_refused_while_the_run_reports_blocking_reasons(
    framework, versions, active, psychometrician
):
    draft = make_calibration(framework, versions, name="Bloqué")
    run = make_run(framework, versions, reference=active, draft=draft, blocking=("D2 non lié.",))
    response = signed_in(psychometrician).post(
        reverse("psychometrics:activate", args=[run.pk]), {"reason": "Je passe outre"}
    )
    assert response.status_code == 200
    assert "D2 non lié." in response.content.decode()
    assert Calibration.objects.get(pk=active.pk).is_active
    assert not Calibration.objects.get(pk=draft.pk).is_active


def test_activating_the_active_calibration_again_shows_the_service_refusal(
    ready_run, psychometrician
):
    activate_calibration(ready_run.draft, by=psychometrician, reason="Première fois")
    response = signed_in(psychometrician).post(
        reverse("psychometrics:activate", args=[ready_run.pk]), {"reason": "Encore"}
    )
    assert response.status_code == 200
    assert "Cette calibration est déjà active." in response.content.decode()
    assert CalibrationActivation.objects.filter(calibration_id=ready_run.draft_id).count() == 1


def test_a_run_that_is_not_ready_cannot_be_activated(framework, versions, active, psychometrician):
    run = make_run(
        framework, versions, reference=active, draft=None, status=CalibrationRun.Status.RUNNING
    )
    response = signed_in(psychometrician).post(
        reverse("psychometrics:activate", args=[run.pk]), {"reason": "Trop tôt"}
    )
    assert response.status_code == 200
    assert CalibrationActivation.objects.count() == 1  # the system's first activation


def test_activation_and_roll_back_accept_post_only_with_a_csrf_token(
    ready_run, active, psychometrician
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(psychometrician)
    url = reverse("psychometrics:activate", args=[ready_run.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"reason": "Sans jeton"}).status_code == 403
    assert Calibration.objects.get(pk=active.pk).is_active


def test_a_psychometrician_rolls_back_to_the_previous_calibration_with_a_reason(
    framework, ready_run, active, psychometrician
):
    activate_calibration(ready_run.draft, by=psychometrician, reason="Calibration 2026")
    client = signed_in(psychometrician)
    page = client.get(reverse("psychometrics:calibrations")).content.decode()
    url = reverse("psychometrics:roll_back", args=[framework.pk])
    assert url in page
    field = f"retour-{framework.pk}-reason"
    refused = client.post(url, {field: " "})
    assert refused.status_code == 200 and 'aria-invalid="true"' in refused.content.decode()
    assert Calibration.objects.get(pk=ready_run.draft_id).is_active
    response = client.post(url, {field: "Dérive constatée en D3"})
    assert response.status_code == 302
    assert Calibration.objects.get(pk=active.pk).is_active
    event = CalibrationActivation.objects.filter(framework=framework).first()
    assert (event.action, event.calibration, event.previous, event.by, event.reason) == (
        "roll_back",
        active,
        ready_run.draft,
        psychometrician,
        "Dérive constatée en D3",
    )


def test_rolling_back_without_a_previous_calibration_shows_why(framework, active, psychometrician):
    url = reverse("psychometrics:roll_back", args=[framework.pk])
    response = signed_in(psychometrician).post(url, {f"retour-{framework.pk}-reason": "Essai"})
    assert response.status_code == 200
    assert "Aucune calibration précédente vers laquelle revenir." in response.content.decode()
    assert Calibration.objects.get(pk=active.pk).is_active
    assert CalibrationActivation.objects.count() == 1


# --- starting a calibration -------------------------------------------------------------------


def test_the_start_form_offers_synthetic_responses_only_in_development_or_when_asked(
    settings, framework, psychometrician
):
    client = signed_in(psychometrician)
    settings.DEBUG = False
    assert 'name="synthetic"' not in client.get(reverse("psychometrics:start")).content.decode()
    assert (
        f"{framework.title} ({framework.version})"
        in client.get(reverse("psychometrics:start")).content.decode()
    )
    asked = client.get(reverse("psychometrics:start") + "?donnees=simulees")
    assert 'name="synthetic"' in asked.content.decode()
    settings.DEBUG = True
    assert 'name="synthetic"' in client.get(reverse("psychometrics:start")).content.decode()


def test_a_period_that_ends_before_it_starts_is_refused_and_starts_nothing(
    framework, psychometrician
):
    response = signed_in(psychometrician).post(
        reverse("psychometrics:start"),
        {
            "framework": framework.pk,
            "scope": "all",
            "period_start": "2026-11-01",
            "period_end": "2026-10-01",
        },
    )
    assert response.status_code == 200
    assert "La fin de la période doit suivre son début." in response.content.decode()
    assert not CalibrationRun.objects.exists()


def test_starting_a_calibration_queues_a_run_and_opens_its_page(framework, active, psychometrician):
    pytest.importorskip(
        "palier.psychometrics.services", reason="the calibration pipeline is not merged yet"
    )
    population = Population.objects.order_by("position").first()
    response = signed_in(psychometrician).post(
        reverse("psychometrics:start"),
        {
            "framework": framework.pk,
            "scope": "pretest",
            "period_start": "2026-09-01",
            "period_end": "2026-11-30",
            "populations": [population.pk],
        },
    )
    run = CalibrationRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("psychometrics:run", args=[run.pk])
    assert (run.scope, run.requested_by, run.synthetic) == ("pretest", psychometrician, False)
    assert list(run.populations.all()) == [population]


# --- with the real pipeline -------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_started_from_the_page_opens_as_a_full_review_once_computed(
    bank, psychometrician, monkeypatch, django_assert_max_num_queries
):
    """The pipeline's own JSON (not rows written by hand) renders every section."""
    import numpy as np

    from palier.psychometrics.services import execute_run
    from tests.psychometrics.conftest import abilities, store_attempts

    monkeypatch.setattr("palier.psychometrics.pipeline.IMPACT_SIMULEES", 30)
    rng = np.random.default_rng(31)
    store_attempts(bank, abilities(rng, 300, mean=0.3), rng)
    client = signed_in(psychometrician)
    response = client.post(
        reverse("psychometrics:start"), {"framework": bank.framework.pk, "scope": "all"}
    )
    run = CalibrationRun.objects.get()
    assert response["Location"] == reverse("psychometrics:run", args=[run.pk])
    assert "En attente" in client.get(response["Location"]).content.decode()
    execute_run(run)
    with django_assert_max_num_queries(9):
        page = client.get(reverse("psychometrics:run", args=[run.pk])).content.decode()
    assert "Revue du brouillon" in page
    assert page.count('<circle class="calibration-point"') == 20  # every item re-estimated
    assert "Constantes de liaison et ancres, par domaine" in page
    assert "Matrice de corrélation des domaines" in page
    assert "Impact simulé : calibration active et brouillon" in page
    assert "Lecture des réponses" in page and "Estimation convergée" in page
    assert 'action="' + reverse("psychometrics:activate", args=[run.pk]) in page


# --- reading the run's JSON and drawing the charts (no database) ------------------------------


def parameter_row(code: str, active: float | None, draft: float, estimated: bool = True):
    from palier.psychometrics.queries import ParameterRow

    return ParameterRow(
        version_id=int(code.removeprefix("Q")),
        item_code=code,
        version_number=1,
        area_code="D1",
        area_number=1,
        discrimination=1.0,
        se_discrimination=None,
        difficulty=draft,
        se_difficulty=None,
        guessing=None,
        active_discrimination=None if active is None else 1.0,
        active_difficulty=active,
        estimated=estimated,
        responses=None,
    )


def test_the_scatter_has_equal_axes_of_whole_logits_and_draws_kept_items_on_top():
    from palier.psychometrics.charts import difficulty_scatter

    assert difficulty_scatter([parameter_row("Q1", None, 0.3)]) is None
    scatter = difficulty_scatter(
        [
            parameter_row("Q1", 0.5, 0.5, estimated=False),
            parameter_row("Q2", -0.2, 0.4),
            parameter_row("Q3", None, 1.0),
        ]
    )
    assert [tick.value for tick in scatter.ticks] == [-2, -1, 0, 1, 2]
    assert scatter.missing == 1
    assert [point.estimated for point in scatter.points] == [True, False]
    kept = scatter.points[-1]
    # No change: the mark sits on the diagonal (same distance from both axes' origins).
    assert float(kept.x) + float(kept.y) == pytest.approx(2 * 48 + (360 - 2 * 48))


def test_impact_bars_carry_their_name_and_value_and_nothing_is_drawn_without_data():
    from palier.psychometrics.charts import paired_bars

    assert (
        paired_bars([("D1", None, None)], scale=1.0, text=str, active_label="a", draft_label="b")
        is None
    )
    chart = paired_bars(
        [("D1", 0.5, 1.0)],
        scale=1.0,
        text=lambda v: f"{v:.1f}",
        active_label="active",
        draft_label="brouillon",
    )
    active, draft = chart.groups[0].bars
    assert (active.text, draft.text) == ("active 0.5", "brouillon 1.0")
    assert (active.draft, draft.draft) == (False, True)
    assert float(draft.width) == 2 * float(active.width)


def test_the_run_json_is_read_leniently():
    from palier.psychometrics import review_summary as summaries

    assert summaries.read_linking({"method": "fixed_parameters"}, {}).fixed_parameters
    linking = summaries.read_linking(
        {"method": "stocking_lord", "areas": {"D2": {"linked": False, "reason": "3 ancres"}}}, {}
    )
    assert [(area.area_code, area.linked, area.note) for area in linking.areas] == [
        ("D2", False, "3 ancres")
    ]
    assert summaries.read_linking(None, {}) is None
    assert summaries.read_impact({"error": "Aucune question"}).error == "Aucune question"
    assert summaries.read_impact({"draft": "?"}) is None
    assert summaries.read_correlation({"areas": ["D1", "D2"], "matrix": [[1.0]]}) is None
    assert summaries.blocking_messages(
        [{"code": "not_converged", "message": "Pas de convergence."}, {"code": "x"}, "texte", ""]
    ) == ["Pas de convergence.", "x", "texte"]
    assert summaries.read_counts({"counts": {"attempts": 3, "flag": True, "note": "x"}}) == [
        ("Tests", 3)
    ]


def test_dif_lists_class_c_then_b_by_largest_difference_and_counts_what_could_not_be_made():
    from palier.psychometrics import review_summary as summaries

    def group(focal, ets_class, delta):
        return {"focal": focal, "reference": "others", "class": ets_class, "delta": delta}

    items = [
        (("Q1", 1), {"status": {"groups": [group("student", "B", -1.2)]}}),
        (
            ("Q2", 1),
            {
                "population": {"groups": [group("ifsi", "C", 1.6), group("iade", "A", 0.2)]},
                "language": {"groups": [{"focal": "en", "class": None, "note": "not_enough_data"}]},
            },
        ),
        (("Q3", 1), {"status": {"groups": [group("student", "B", 1.4)]}}),
    ]
    rows, without_data = summaries.read_dif(items, {"ifsi": "Étudiants en soins infirmiers"}, False)
    assert [(row.item_code, row.ets_class) for row in rows] == [
        ("Q2", "C"),
        ("Q3", "B"),
        ("Q1", "B"),
    ]
    assert rows[0].focal == "Étudiants en soins infirmiers" and rows[0].reference == "les autres"
    assert without_data == 1
    everything, _ = summaries.read_dif(items, {}, True)
    assert len(everything) == 4 and everything[-1].ets_class == "A"
