"""The calibration pages in a real browser: no axe violation on the calibrations list, the
progress page and the review of a draft, on a wide and a narrow screen; the
progress page follows a run by itself; and a psychometrician activates a draft with a reason
through the page."""

import os

import pytest
from django.urls import reverse

from palier.accounts.roles import Role
from palier.items.calibrations import activate_calibration
from palier.items.models import Calibration, CalibrationActivation
from palier.psychometrics.models import CalibrationRun
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import make_user
from tests.psychometrics.test_pages import make_calibration, make_items, make_run

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (1280, 390)


# One theme: the State theme's shared templates are checked by the standard-setting and
# positioning browser tests; these pages add no theme-specific markup.
@pytest.mark.parametrize("theme", ["neutral"], indirect=True)
def test_calibration_pages_are_accessible_and_a_draft_is_activated_with_a_reason(
    page, live_server, theme, framework
):
    # Imported here, as the harness does: without Playwright the browser tests skip.
    from playwright.sync_api import expect

    psychometrician = make_user("psy@example.org", roles=(Role.PSYCHOMETRICIAN,))
    versions = make_items(framework)
    active = make_calibration(framework, versions, name="Provisoire", estimated=False)
    activate_calibration(active)
    draft = make_calibration(framework, versions, name="Calibration 2026", shift=0.2)
    run = make_run(framework, versions, reference=active, draft=draft, by=psychometrician)
    running = make_run(
        framework, versions, reference=active, draft=None, status=CalibrationRun.Status.RUNNING
    )
    sign_in(page, live_server, "psy@example.org")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, args in [
            ("psychometrics:calibrations", []),
            ("psychometrics:start", []),
            ("psychometrics:run", [running.pk]),
            ("psychometrics:run", [run.pk]),
        ]:
            page.goto(live_server.url + reverse(name, args=args))
            assert page.locator("h1").is_visible()
            if os.environ.get("SHOTS"):
                page.screenshot(
                    path=f"{os.environ['SHOTS']}/{theme}-{width}-{name.split(':')[1]}-{args}.png",
                    full_page=True,
                )
            assert_accessible(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    # The progress page follows the run by itself, and shows the outcome when it ends.
    page.goto(live_server.url + reverse("psychometrics:run", args=[running.pk]))
    CalibrationRun.objects.filter(pk=running.pk).update(progress=70, progress_message="Ajustement")
    expect(page.locator("#run-progress-text")).to_contain_text("70 % effectués — Ajustement")
    expect(page.locator("#run-progress-bar")).to_have_attribute("value", "70")
    CalibrationRun.objects.filter(pk=running.pk).update(
        status=CalibrationRun.Status.FAILED, error="Aucune réponse dans la période."
    )
    page.get_by_text("Aucune réponse dans la période.").wait_for()

    page.goto(live_server.url + reverse("psychometrics:run", args=[run.pk]))
    page.get_by_role("button", name="Activer ce brouillon").click()
    # The browser's own check is off (novalidate): the server says the reason is missing.
    page.wait_for_selector("#form-errors")
    assert not Calibration.objects.get(pk=draft.pk).is_active
    page.get_by_label("Motif de l'activation").fill("Calibration annuelle sur les réponses 2026")
    page.get_by_role("button", name="Activer ce brouillon").click()
    page.wait_for_url(f"**{reverse('psychometrics:calibrations')}")
    assert page.get_by_text("Calibration « Calibration 2026 » activée.").is_visible()
    assert_accessible(page)
    event = CalibrationActivation.objects.get(calibration=draft)
    assert (event.by, event.reason, event.previous) == (
        psychometrician,
        "Calibration annuelle sur les réponses 2026",
        active,
    )
