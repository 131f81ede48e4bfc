"""Award pages: one gate per award (outsiders 404, funders read-only), attaching only the
awardee's own objects, suppression on the page, and the yearly report as PDF and XLSX."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from palier.accounts.roles import Role
from palier.campaigns.models import Campaign
from palier.steering.award_access import access_award, visible_awards
from palier.steering.award_services import AwardError, attach, attach_campaign
from palier.steering.models import AwardCampaign
from palier.steering.years import academic_year, year_label
from tests.factories import make_user
from tests.steering.support import (
    finished_attempt,
    join,
    learner,
    make_award,
    make_campaign,
    plan,
)

pytestmark = [pytest.mark.django_db]
YEAR = academic_year(timezone.localdate())


@pytest.fixture
def award(org):
    return make_award(org, "projet-tilleuls", title_fr="Parcours numérique des Tilleuls")


@pytest.fixture
def other_award(outsider):
    return make_award(outsider.organisations.get(), "projet-voisin", title_fr="Projet voisin")


def pages(award) -> list[str]:
    return [
        reverse("awards:detail", args=[award.code]),
        reverse("awards:report_pdf", args=[award.code, YEAR]),
        reverse("awards:report_xlsx", args=[award.code, YEAR]),
        reverse("awards:links", args=[award.code]),
    ]


def test_the_manager_of_another_award_gets_404_on_every_page(client, award, other_award, outsider):
    client.force_login(outsider)
    for url in pages(award):
        assert client.get(url).status_code == 404, url
    attach_url = reverse("awards:attach", args=[award.code, "campagne"])
    assert client.post(attach_url, {"campagne-objet": "1"}).status_code == 404
    assert client.get(reverse("awards:detail", args=[other_award.code])).status_code == 200
    listed = client.get(reverse("awards:list")).content.decode()
    assert "Projet voisin" in listed and "Parcours numérique des Tilleuls" not in listed


def test_a_learner_without_award_gets_404_and_anonymous_users_log_in(client, award):
    assert client.get(reverse("awards:detail", args=[award.code])).status_code == 302
    client.force_login(make_user())
    assert client.get(reverse("awards:list")).status_code == 404
    assert client.get(reverse("awards:detail", args=[award.code])).status_code == 404
    assert client.get(reverse("awards:detail", args=["no-such-award"])).status_code == 404


@pytest.mark.parametrize("role", [Role.STEERING, Role.ADMINISTRATOR, Role.FUNDER])
def test_steering_administrators_and_funders_see_every_award(client, award, other_award, role):
    user = make_user(roles=(role,))
    assert set(visible_awards(user)) == {award, other_award}
    client.force_login(user)
    for code in (award.code, other_award.code):
        assert client.get(reverse("awards:detail", args=[code])).status_code == 200
    assert access_award(user, award.code).can_manage is (role != Role.FUNDER)


def test_a_funder_reads_but_cannot_attach(client, award, org, org_admin):
    campaign = make_campaign(org, org_admin)
    client.force_login(make_user(roles=(Role.FUNDER,)))
    page = client.get(reverse("awards:detail", args=[award.code])).content.decode()
    assert reverse("awards:links", args=[award.code]) not in page
    assert client.get(reverse("awards:links", args=[award.code])).status_code == 403
    attach_url = reverse("awards:attach", args=[award.code, "campagne"])
    assert client.post(attach_url, {"campagne-objet": campaign.pk}).status_code == 403
    assert not AwardCampaign.objects.exists()


def test_a_member_of_the_awardee_reads_and_its_admin_manages(client, award, org_member, org_admin):
    client.force_login(org_member)
    assert client.get(reverse("awards:detail", args=[award.code])).status_code == 200
    assert client.get(reverse("awards:links", args=[award.code])).status_code == 403
    client.force_login(org_admin)
    assert client.get(reverse("awards:links", args=[award.code])).status_code == 200


def test_the_admin_attaches_and_detaches_only_the_awardee_s_own_campaigns(
    client, award, org, org_admin, outsider
):
    own = make_campaign(org, org_admin, name="Campagne des Tilleuls")
    foreign = make_campaign(outsider.organisations.get(), outsider, name="Campagne voisine")
    client.force_login(org_admin)
    links = reverse("awards:links", args=[award.code])
    page = client.get(links).content.decode()
    assert "Campagne des Tilleuls" in page and "Campagne voisine" not in page
    attach_url = reverse("awards:attach", args=[award.code, "campagne"])
    refused = client.post(attach_url, {"campagne-objet": foreign.pk})
    assert refused.status_code == 400 and not AwardCampaign.objects.exists()
    assert client.post(attach_url, {"campagne-objet": own.pk})["Location"] == links
    assert AwardCampaign.objects.get().campaign == own
    assert client.post(attach_url, {"campagne-objet": own.pk}).status_code == 400  # once
    detach_url = reverse("awards:detach", args=[award.code, "campagne", own.pk])
    assert client.get(detach_url).status_code == 405
    assert client.post(detach_url).status_code == 302 and not AwardCampaign.objects.exists()
    assert client.post(detach_url).status_code == 404
    unknown = reverse("awards:attach", args=[award.code, "inconnu"])
    assert client.post(unknown, {}).status_code == 404


def test_the_service_refuses_another_organisation_s_campaign(award, outsider):
    foreign = make_campaign(outsider.organisations.get(), outsider)
    with pytest.raises(AwardError):
        attach(award, "campagne", foreign.pk)
    other = make_award(outsider.organisations.get(), "projet-voisin")
    attach_campaign(other, foreign.pk)
    with pytest.raises(AwardError):  # already attached to an award
        attach_campaign(award, foreign.pk)
    assert Campaign.objects.get(pk=foreign.pk).award_link.award == other


@pytest.fixture
def reached(award, org, org_admin, framework):
    """12 nursing students and 3 medical students reached; 40 and 20 planned."""
    campaign = make_campaign(org, org_admin)
    attach_campaign(award, campaign.pk)
    plan(award, "soins-infirmiers", YEAR, 40)
    plan(award, "medecine", YEAR, 20)
    for code, count in (("soins-infirmiers", 12), ("medecine", 3)):
        for number in range(count):
            user = learner(code, first_name="Zéphyrine", last_name=f"Quarantotto{number}")
            join(campaign, user, {"D1": 2})
            finished_attempt(user, framework)
    return award


def test_the_page_hides_small_counts_and_shows_no_person(client, reached, org_admin):
    client.force_login(org_admin)
    page = client.get(reverse("awards:detail", args=[reached.code])).content.decode()
    assert "masqué" in page
    assert "Quarantotto" not in page and "Zéphyrine" not in page
    assert f"rapport-{YEAR}.pdf" in page and f"rapport-{YEAR}.xlsx" in page
    # 3 medical students: hidden, and the nursing count (12) with it (the total is 15).
    assert ">12<" not in page and ">3<" not in page and ">15<" in page


def test_a_demo_award_says_so(client, org, org_admin):
    demo = make_award(org, "projet-demo", is_demo=True)
    client.force_login(org_admin)
    page = client.get(reverse("awards:detail", args=[demo.code])).content.decode()
    assert "Données de démonstration" in page


def test_the_yearly_report_opens_as_pdf_and_xlsx_with_the_figures(client, reached, org_admin):
    client.force_login(org_admin)
    pdf = client.get(reverse("awards:report_pdf", args=[reached.code, YEAR]))
    assert pdf["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert reached.title_fr in text and year_label(YEAR) in text
    assert "1 500 000" in text.replace("\u202f", " ").replace("\xa0", " ")
    assert "masqué" in text and "Quarantotto" not in text
    xlsx = client.get(reverse("awards:report_xlsx", args=[reached.code, YEAR]))
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames[0] == "Projet"
    populations = [list(row) for row in workbook["award-reach-populations"].values]
    total = next(row for row in populations if row[0] == "Total")
    assert total[1:4] == [60, 15, 25]
    hidden = [row for row in populations[2:] if row[1] is not None and row[2] is None]
    assert len(hidden) == 2 and all("masqué" in row[-1] for row in hidden)
    assert client.get(reverse("awards:report_pdf", args=[reached.code, 2040])).status_code == 404


def test_the_page_s_queries_do_not_grow_with_its_learners(client, reached, org_admin, framework):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(org_admin)
    url = reverse("awards:detail", args=[reached.code])
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    campaign = reached.campaign_links.get().campaign
    for _ in range(15):
        user = learner("pharmacie")
        join(campaign, user, {"D2": 3})
        finished_attempt(user, framework)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before) <= 40
