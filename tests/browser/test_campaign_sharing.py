"""Issue 13's campaign journeys in a real browser, both themes, axe at 1280 and 390 px:
a learner's consent page (the shared areas listed, the plan box labelled beside it), and
staff reminding learners (choose who, read the message, send, see the history)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from palier.campaigns import services
from palier.campaigns.models import ExpectedLearner, Participation, ReminderBatch
from palier.organisations.choices import MembershipRole
from tests.browser.conftest import assert_accessible, sign_in
from tests.campaigns.conftest import campaign_fields
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db(transaction=True)

WIDE, PHONE = 1280, 390


def check_both_widths(page) -> None:
    """axe at 1280 px, then at 390 px where the page must not scroll sideways."""
    page.set_viewport_size({"width": WIDE, "height": 900})
    assert_accessible(page)
    page.set_viewport_size({"width": PHONE, "height": 844})
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE
    page.set_viewport_size({"width": WIDE, "height": 900})


@pytest.fixture
def campaign(framework):
    organisation = make_organisation("IFSI du Val", slug="ifsi-du-val")
    admin = make_member(organisation, MembershipRole.ADMIN, email="cadre@ifsi-du-val.example")
    return services.create_campaign(organisation, admin, campaign_fields(name="Positionnement S1"))


def test_the_consent_page_lists_the_areas_and_labels_the_plan_box(
    page, live_server, theme, campaign
):
    learner = make_user("lou@example.org", first_name="Lou", last_name="Garnier")
    entry = services.join_campaign(learner, campaign)
    Participation.objects.filter(pk=entry.pk).update(
        status=Participation.Status.FINISHED, finished_at=timezone.now()
    )
    sign_in(page, live_server, "lou@example.org")
    page.goto(f"{live_server.url}/campagnes/participation/{entry.pk}/")
    assert page.get_by_role("heading", name="Partager votre résultat ?").is_visible()
    for area in ("1. Données de santé", "5. Télésanté"):
        assert page.get_by_role("listitem").filter(has_text=area).first.is_visible()
    check_both_widths(page)
    for width in (WIDE, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        label = page.locator("label[for=id_plan]")
        box = label.bounding_box()
        # The checkbox is drawn at the label's left edge (DSFR draws it in the label).
        tick = page.locator("#id_plan").bounding_box()
        assert box["y"] <= tick["y"] + tick["height"] / 2 <= box["y"] + box["height"], width
    label.click()
    assert page.locator("#id_plan").is_checked()


def test_staff_read_the_reminder_then_send_it(page, live_server, theme, campaign):
    for email in ("ana@example.org", "bao@example.org"):
        ExpectedLearner.objects.create(campaign=campaign, email=email)
    services.join_campaign(make_user("bao@example.org"), campaign)
    base = f"{live_server.url}/organisations/{campaign.organisation.slug}/campagnes/{campaign.pk}"
    sign_in(page, live_server, "cadre@ifsi-du-val.example")
    page.goto(f"{base}/")
    page.get_by_role("link", name="Fiche d'inscription à imprimer, QR code").click()
    page.wait_for_url("**/inviter/")
    assert page.get_by_role("link", name="QR code (PNG, pour un diaporama ou un message)")
    check_both_widths(page)
    page.locator("label", has_text="Apprenants attendus qui n'ont pas rejoint").click()
    page.get_by_role("button", name="Voir le message").click()
    page.wait_for_url("**/relances/?audience=not_joined")
    assert page.get_by_text("Vous n'avez pas encore rejoint cette campagne").is_visible()
    check_both_widths(page)
    assert not ReminderBatch.objects.exists()
    page.get_by_role("button", name="Envoyer à 1 apprenant").click()
    page.wait_for_url("**/inviter/")
    assert page.get_by_text("Relance envoyée à 1 apprenant.").is_visible()
    assert page.get_by_text("1 apprenant relancé").is_visible()
    check_both_widths(page)
    assert ReminderBatch.objects.get().recipient_count == 1
