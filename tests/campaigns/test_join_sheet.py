"""The campaign's QR code as PNG and its printable join sheet (PDF, A4), read back."""

from __future__ import annotations

import io

import pytest
import segno
from django.urls import reverse
from pypdf import PdfReader

from palier.campaigns.join_sheet import PNG_SCALE, QR_BORDER

pytestmark = pytest.mark.django_db


def url(campaign, name: str) -> str:
    return reverse(f"organisations:{name}", args=[campaign.organisation.slug, campaign.pk])


def join_link(campaign) -> str:
    return f"http://testserver/campagnes/rejoindre/{campaign.code}/"


def test_the_png_qr_code_is_the_join_link_at_print_size(client, campaign, org_member):
    client.force_login(org_member)
    response = client.get(url(campaign, "campaign_qr_png"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert f'filename="campagne-{campaign.code}.png"' in response["Content-Disposition"]
    png = response.content
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    symbol = segno.make(join_link(campaign), error="m")
    assert width == (symbol.symbol_size(border=QR_BORDER)[0]) * PNG_SCALE


def test_the_join_sheet_is_one_a4_page_with_everything_a_learner_needs(
    client, make_campaign, org_member
):
    campaign = make_campaign(name="Entrée en IFSI — promotion 2026")
    client.force_login(org_member)
    response = client.get(url(campaign, "campaign_join_sheet"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    (page,) = reader.pages
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    text = " ".join(page.extract_text().split())
    for expected in (
        "Entrée en IFSI — promotion 2026",
        campaign.organisation.name,
        campaign.display_code,
        join_link(campaign),
        "Pour participer",
        "Scannez le QR code",
        "Rien ne lui est transmis sans votre accord.",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "Rejoindre la campagne Entrée en IFSI — promotion 2026"


def test_an_automatic_sharing_campaign_says_so_on_its_sheet(client, make_campaign, org_member):
    campaign = make_campaign(sharing="automatic")
    client.force_login(org_member)
    reader = PdfReader(io.BytesIO(client.get(url(campaign, "campaign_join_sheet")).content))
    text = " ".join(reader.pages[0].extract_text().split())
    assert "transmis automatiquement à la fin du test" in text


@pytest.mark.parametrize("name", ["campaign_qr_png", "campaign_join_sheet", "campaign_invite"])
def test_outsiders_and_learners_get_not_found(client, campaign, outsider, name):
    client.force_login(outsider)
    assert client.get(url(campaign, name)).status_code == 404
