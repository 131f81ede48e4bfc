import pytest

from palier.assessments.models import Attempt
from palier.assessments.services import start_attempt
from palier.training.models import PlanEntry
from palier.training.seed import load_catalogue_seed
from tests.assessments.conftest import wrong_answer
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.support.seeds import load_item_seed

pytestmark = pytest.mark.django_db(transaction=True)


def test_from_a_result_to_a_completed_module(page, live_server, theme, framework):
    load_item_seed(framework)
    load_catalogue_seed(framework)
    learner = make_user("hugo@example.org")
    attempt = start_attempt(learner)
    from palier.assessments.services import record_answer

    for _ in range(60):
        attempt.refresh_from_db()
        if attempt.is_finished:
            break
        record_answer(attempt, attempt.current_position, wrong_answer(attempt.current_version))
    assert Attempt.objects.get().is_finished
    sign_in(page, live_server, "hugo@example.org")
    page.goto(f"{live_server.url}/positionnement/{attempt.pk}/resultat/")
    assert page.get_by_role("heading", name="À travailler en priorité").is_visible()
    assert_accessible(page)
    page.locator("#priorities .priority-item form button").first.click()
    page.wait_for_load_state()
    assert PlanEntry.objects.filter(user=learner).count() == 1
    page.goto(f"{live_server.url}/formations/mon-plan/")
    assert_accessible(page)
    page.locator("select[name=progress]").first.select_option("completed")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_load_state()
    assert PlanEntry.objects.get(user=learner).progress == "completed"
    # the test was just taken: the plan gives the date of the next one, not "repassez"
    assert page.get_by_text(
        "Vous pourrez repasser le test de positionnement à partir du"
    ).is_visible()
    assert page.get_by_text("repassez le test").count() == 0
    assert PlanEntry.objects.get(user=learner).confirmation_requested_at is None
    assert_accessible(page)
    # the provider sees nothing until the learner asks it to confirm
    page.get_by_role("button", name="Demander à l'organisme de confirmer").click()
    page.wait_for_load_state()
    assert PlanEntry.objects.get(user=learner).confirmation_requested_at is not None
    assert page.get_by_text("Confirmation demandée le").is_visible()
    assert_accessible(page)
    page.goto(f"{live_server.url}/formations/")
    assert_accessible(page)


def test_provider_staff_pages_are_accessible(page, live_server, theme, framework):
    from palier.organisations.choices import MembershipRole
    from palier.organisations.models import Organisation
    from tests.factories import make_member

    load_catalogue_seed(framework)
    provider = Organisation.objects.filter(modules__isnull=False).first()
    make_member(provider, MembershipRole.ADMIN, email="formation@example.org")
    sign_in(page, live_server, "formation@example.org")
    for path in (
        f"/compte/organisations/{provider.slug}/",
        f"/formations/organismes/{provider.slug}/gestion/",
        f"/formations/organismes/{provider.slug}/gestion/nouveau/",
    ):
        assert page.goto(live_server.url + path).status == 200, path
        assert_accessible(page)
    page.get_by_role("button", name="Envoyer en modération").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)


def test_provider_admins_edit_sessions_and_confirm_completions(page, live_server, theme, framework):
    from palier.organisations.choices import MembershipRole
    from palier.training import services
    from palier.training.models import Module
    from tests.factories import make_member

    load_catalogue_seed(framework)
    module = Module.objects.filter(status="published", sessions__isnull=False).first()
    provider = module.provider
    learner = make_user("lea.martin@example.org", first_name="Léa", last_name="Martin")
    entry = services.set_progress(services.add_to_plan(learner, module=module), "completed")
    services.request_confirmation(entry)
    make_member(provider, MembershipRole.ADMIN, email="formation@example.org")
    sign_in(page, live_server, "formation@example.org")

    # the module form with its sessions, then a session that ends before it starts
    page.goto(f"{live_server.url}/formations/organismes/{provider.slug}/gestion/{module.code}/")
    assert page.get_by_role("group", name="Session 1 (du").is_visible()
    assert_accessible(page)
    page.get_by_role("group", name="Session 1 (du").get_by_label("Dernier jour").fill("2020-01-01")
    page.get_by_role("button", name="Envoyer en modération").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").get_by_text("Session 1, Dernier jour").is_visible()
    assert_accessible(page)

    # the learners who asked the provider to confirm their completion, confirmed by it
    page.goto(f"{live_server.url}/formations/organismes/{provider.slug}/gestion/")
    page.get_by_role("link", name="Confirmer les formations terminées").click()
    page.wait_for_load_state()
    assert page.get_by_role("rowheader", name="Léa Martin").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer — Léa Martin").click()
    page.wait_for_load_state()
    assert PlanEntry.objects.get(user=learner).confirmed_by_provider
    assert page.get_by_role("button", name="Retirer la confirmation — Léa Martin").is_visible()
    assert_accessible(page)


PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def assert_no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide at {PHONE['width']} px"


def learner_with_profile(email: str, status: str, population: str, region: str):
    from palier.frameworks.models import Population

    learner = make_user(email, first_name="Inès", last_name="Garnier")
    learner.profile.status = status
    learner.profile.population = Population.objects.get(code=population)
    learner.profile.region = region
    learner.profile.save()
    return learner


def test_a_learner_sees_the_catalogue_chosen_for_them_then_opens_all(
    page, live_server, theme, framework
):
    from palier.training.models import Module

    load_catalogue_seed(framework)
    learner_with_profile("ines@example.org", "student", "soins-infirmiers", "84")
    sign_in(page, live_server, "ines@example.org")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/formations/")
    assert page.get_by_text("Formations choisies pour votre situation").is_visible()
    chosen = page.locator(".card").count()
    assert 0 < chosen < Module.objects.filter(status="published").count()
    assert page.locator(".card", has_text="adapté à votre situation").count() == chosen
    assert page.get_by_label("Situation").input_value() == "student"  # filters open on wide
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.reload()
    assert not page.get_by_label("Situation").is_visible()  # folded behind "Filtrer"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_text("Filtrer", exact=False).first.click()
    assert page.get_by_label("Situation").is_visible()

    page.get_by_role("link", name="Voir toutes les formations").first.click()
    page.wait_for_load_state()
    published = Module.objects.filter(status="published").count()
    assert page.get_by_role("heading", name=f"{published} formations").is_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_the_plan_shows_progress_per_area_and_fits_a_phone(page, live_server, theme, framework):
    from palier.training import services
    from palier.training.models import Module
    from tests.training.test_recommend import finished_attempt

    load_catalogue_seed(framework)
    learner = learner_with_profile("ines@example.org", "student", "soins-infirmiers", "84")
    finished_attempt(learner, framework, {"D1": 2, "D2": 1})
    # m-013 is a paid DPC action: nothing funds it for a student
    for module in Module.objects.filter(code__in=["m-009", "m-011", "m-010", "m-013"]):
        entry = services.add_to_plan(learner, module=module)
        services.set_progress(entry, "completed")
    services.request_confirmation(PlanEntry.objects.filter(user=learner).first())
    sign_in(page, live_server, "ines@example.org")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/formations/mon-plan/")
    assert page.get_by_role("heading", name="Avancement par domaine").is_visible()
    assert page.get_by_text("terminées sur 28 h").is_visible()
    assert page.get_by_role("progressbar").count() == 5
    assert page.get_by_role("table", name="Heures de formation terminées par domaine").is_visible()
    assert page.get_by_text(
        "Vous pourrez repasser le test de positionnement à partir du"
    ).is_visible()
    assert_accessible(page)

    page.set_viewport_size(PHONE)
    page.reload()
    # each module says how to fund it, for a student: free, or nothing for the DPC action
    funding = page.locator(".plan-entry__funding")
    assert funding.count() == 4
    funding.filter(has_text="Gratuit").first.locator("summary").click()
    assert page.get_by_text("il n'y a rien à financer").first.is_visible()
    paid = funding.filter(has_text="aucun pour votre situation")
    paid.locator("summary").click()
    assert paid.get_by_role("link", name="Les financements de la formation").is_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    # the page that explains every funding route, with its official source
    paid.get_by_role("link", name="Les financements de la formation").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Financer une formation").is_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
