"""Regressions of issue 13 on campaign pages: the consent page lists the shared areas and
ties the plan checkbox to its label; a campaign's state reads as a state ("Fermée", not the
verb "Fermer"); "de" is elided before a name starting with a vowel ("Campagnes d'IFSI")."""

from __future__ import annotations

import gettext
import re
from datetime import timedelta
from pathlib import Path

import django
import pytest
from django.urls import reverse
from django.utils import timezone, translation

import palier
from palier.campaigns import services
from palier.campaigns.models import Participation
from palier.core.templatetags.elision import with_de
from palier.frameworks.models import Area
from tests.factories import make_organisation, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_entry(campaign):
    learner = make_user("lea@example.org")
    entry = services.join_campaign(learner, campaign)
    Participation.objects.filter(pk=entry.pk).update(
        status=Participation.Status.FINISHED, finished_at=timezone.now()
    )
    return entry


def test_the_consent_page_names_every_area_to_be_shared(client, finished_entry):
    client.force_login(finished_entry.user)
    page = client.get(reverse("campaigns:participation", args=[finished_entry.pk]))
    body = page.content.decode()
    assert "Partager votre résultat ?" in body
    shared_list = re.search(r"<ul>(<li>.*?</li>)</ul>", body, re.S).group(1)
    items = re.findall(r"<li>(.*?)</li>", shared_list)
    areas = Area.objects.filter(framework=finished_entry.campaign.framework).order_by("number")
    assert items == [f"{area.number}. {area.title}" for area in areas]
    assert len(items) == 5


def test_the_plan_checkbox_is_labelled_right_beside_it(client, finished_entry):
    client.force_login(finished_entry.user)
    body = client.get(reverse("campaigns:participation", args=[finished_entry.pk])).content
    html = body.decode()
    box = re.search(r'<input type="checkbox" name="plan" id="([^"]+)"', html)
    assert box, html
    label = re.search(rf'<label for="{box.group(1)}"[^>]*>([^<]+)</label>', html)
    assert label and "Partager aussi mon plan de formation" in label.group(1)


@pytest.mark.parametrize(
    ("opens", "closes", "french"),
    [(3, 10, "À venir"), (-3, 10, "Ouverte"), (-10, -3, "Fermée")],
)
def test_a_campaign_state_reads_as_a_state(
    client, org, org_member, make_campaign, opens, closes, french
):
    today = timezone.localdate()
    campaign = make_campaign()
    type(campaign).objects.filter(pk=campaign.pk).update(
        opens_on=today + timedelta(days=opens), closes_on=today + timedelta(days=closes)
    )
    client.force_login(org_member)
    url = reverse("organisations:dashboard", args=[org.slug, campaign.pk])
    body = client.get(url).content.decode()
    assert f"<dd>{french} — " in body
    assert "Fermer" not in body


TEMPLATE_MSGID = re.compile(r"""{%\s*(?:translate|trans)\s+"([^"]+)"(?![^%]*\bcontext\b)""")
PYTHON_MSGID = re.compile(r"""\b(?:_|gettext|gettext_lazy)\(\s*"([^"]+)"\s*[,)]""")


def _project_msgids() -> set[str]:
    """The plain msgids (one literal, no context) of our templates and Python code."""
    package = Path(palier.__file__).parent
    msgids: set[str] = set()
    for path in package.rglob("*.html"):
        msgids.update(TEMPLATE_MSGID.findall(path.read_text(encoding="utf-8")))
    for path in package.rglob("*.py"):
        if "migrations" not in path.parts:
            msgids.update(PYTHON_MSGID.findall(path.read_text(encoding="utf-8")))
    return msgids


def _django_french() -> dict[str, str]:
    """Django's own French catalogues (core and contrib), msgid to msgstr."""
    french: dict[str, str] = {}
    for path in Path(django.__file__).parent.glob("**/locale/fr/LC_MESSAGES/django.mo"):
        with path.open("rb") as file:
            catalog = gettext.GNUTranslations(file)._catalog  # type: ignore[attr-defined]
        french.update({k: v for k, v in catalog.items() if isinstance(k, str) and v != k})
    return french


# Our French msgids that Django's French catalogue also translates, on purpose: Django's
# admin title (same meaning) and the language's name. "active" (a calibration's flag,
# shown "actif") belongs to the item bank and needs its own context there.
KNOWN_SHARED_MSGIDS = {"Django administration", "Django site admin", "English"}


def test_no_other_french_msgid_is_rewritten_by_djangos_own_catalogue():
    """Our msgids are French: one equal to an English msgid of Django ("Close") is shown in
    Django's French translation ("Fermer") unless it carries a context."""
    assert {"Ouverte", "Nom", "Statut"} <= _project_msgids()  # the extraction reads the code
    clashes = _project_msgids() & set(_django_french())
    assert clashes <= KNOWN_SHARED_MSGIDS, sorted(clashes - KNOWN_SHARED_MSGIDS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("IFSI du Val", "d'IFSI du Val"),
        ("Université de Nantes", "d'Université de Nantes"),
        ("École de santé", "d'École de santé"),
        ("Œuvre des soignants", "d'Œuvre des soignants"),
        ("CHU de Rennes", "de CHU de Rennes"),
        ("Hôpital Nord", "de Hôpital Nord"),
        ("Yvelines Santé", "de Yvelines Santé"),
        ("3IFSI", "de 3IFSI"),
        ("  ifsi  ", "d'ifsi"),
    ],
)
def test_de_is_elided_before_a_vowel_only(name, expected):
    assert with_de(name) == expected


def test_de_is_left_to_the_translation_in_english():
    with translation.override("en"):
        assert with_de("IFSI du Val") == "IFSI du Val"


def test_pages_titled_with_an_organisation_name_elide_de(client, org_member):
    organisation = org_member.memberships.get().organisation
    type(organisation).objects.filter(pk=organisation.pk).update(name="IFSI du Val")
    client.force_login(org_member)
    body = client.get(reverse("organisations:overview", args=[organisation.slug])).content
    assert "Campagnes d'IFSI du Val" in body.decode().replace("&#x27;", "'")
    assert "de IFSI" not in body.decode()
    other = make_organisation("Centre hospitalier du Parc", slug="ch-parc")
    assert with_de(other.name) == "de Centre hospitalier du Parc"
