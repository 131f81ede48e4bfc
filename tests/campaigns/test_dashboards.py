"""The staff dashboard pages: what they show, who may see them, bad query parameters, and a
number of SQL queries that does not grow with the number of participants."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from palier.accounts.services import erase_user
from palier.campaigns import queries
from palier.campaigns.generate import generate_participants
from palier.campaigns.models import Participation, SharedCompetence, SharedLevel
from palier.campaigns.services import join_campaign
from palier.frameworks.models import Population
from tests.factories import make_user

# Pinned numbers of SQL queries per page, session and user included. The dashboard reads the
# organisation's groups (its filter); the participants' page also the populations; a
# participant's page also their groups, shared plan (four) and other campaigns.
OVERVIEW_QUERIES = 9
DASHBOARD_QUERIES = 21
PARTICIPANTS_QUERIES = 16
PARTICIPANT_QUERIES = 16


def pages(org, campaign, participation_id):
    return {
        "overview": reverse("organisations:overview", args=[org.slug]),
        "dashboard": reverse("organisations:dashboard", args=[org.slug, campaign.pk]),
        "participants": reverse("organisations:participants", args=[org.slug, campaign.pk]),
        "participant": reverse(
            "organisations:participant", args=[org.slug, campaign.pk, participation_id]
        ),
    }


@pytest.fixture
def generated(campaign):
    generate_participants(campaign, 60, seed=7)
    return campaign


@pytest.fixture
def shared_participation(generated):
    return Participation.objects.filter(campaign=generated, status="shared").first()


@pytest.fixture
def member_client(client, org_member):
    client.force_login(org_member)
    return client


def text(response) -> str:
    return response.content.decode()


# --- content ----------------------------------------------------------------------------


def test_overview_lists_the_campaigns_of_the_year_with_their_counts(member_client, org, generated):
    response = member_client.get(reverse("organisations:overview", args=[org.slug]))
    assert response.status_code == 200
    page = text(response)
    funnel = queries.funnel(generated)
    assert f"Campagnes ouvertes en {generated.opens_on.year}" in page
    assert reverse("organisations:dashboard", args=[org.slug, generated.pk]) in page
    for count in (funnel.expected, funnel.joined, funnel.finished, funnel.shared):
        assert f'<td class="dash-num">{count}</td>' in page
    assert "Ouverte" in page


def test_dashboard_shows_the_code_the_join_link_and_the_qr_code(member_client, org, generated):
    page = text(
        member_client.get(reverse("organisations:dashboard", args=[org.slug, generated.pk]))
    )
    assert generated.display_code in page
    assert "http://testserver" + reverse("campaigns:join", args=[generated.code]) in page
    qr = reverse("organisations:campaign_qr", args=[org.slug, generated.pk])
    assert f'src="{qr}"' in page and 'alt="QR code du lien' in page
    assert reverse("organisations:participants", args=[org.slug, generated.pk]) in page
    assert reverse("organisations:export_csv", args=[org.slug, generated.pk]) in page
    # Changing the campaign is for admins: a member is not offered the link.
    assert reverse("organisations:campaign_edit", args=[org.slug, generated.pk]) not in page


def test_admins_are_offered_to_edit_the_campaign_and_import_learners(
    client, org_admin, org, generated
):
    client.force_login(org_admin)
    page = text(client.get(reverse("organisations:dashboard", args=[org.slug, generated.pk])))
    assert reverse("organisations:campaign_edit", args=[org.slug, generated.pk]) in page
    assert reverse("organisations:expected_import", args=[org.slug, generated.pk]) in page


def test_dashboard_tables_carry_the_funnel_the_distribution_and_the_heat_map(
    member_client, org, generated
):
    response = member_client.get(reverse("organisations:dashboard", args=[org.slug, generated.pk]))
    page = text(response)
    statuses = Counter(
        Participation.objects.filter(campaign=generated).values_list("status", flat=True)
    )
    assert (
        f'<td class="dash-num">{sum(statuses.values())}</td><td class="dash-num">100 %</td>' in page
    )
    shared = statuses["shared"]
    assert f"D'après {shared} résultats partagés." in page
    d2 = Counter(
        SharedLevel.objects.filter(participation__campaign=generated, area="D2").values_list(
            "level", flat=True
        )
    )
    row = "".join(
        f'<td class="dash-num">{d2.get(rank, 0)} ({round(100 * d2.get(rank, 0) / shared)} %)</td>'
        for rank in range(1, 6)
    )
    assert row in page
    gaps = SharedCompetence.objects.filter(
        participation__campaign=generated, competence="D3.C2", kind="gap"
    ).count()
    assert f"{round(100 * gaps / shared)} % ({gaps}/{shared})" in page
    # Every chart is an SVG image with a description, and a table follows it.
    assert page.count('<svg class="dash-chart" role="img"') == page.count("<desc id=") >= 4
    assert page.count("<caption>") >= 6


def test_heat_map_columns_can_be_the_years_of_study(member_client, org, generated):
    url = reverse("organisations:dashboard", args=[org.slug, generated.pk])
    response = member_client.get(url, {"par": "annee"})
    assert response.status_code == 200
    assert response.context["data"].heat_map.dimension == "year"
    assert "par année d'études</caption>" in text(response)


def test_small_groups_show_less_than_five_instead_of_a_value(member_client, org, campaign):
    generate_participants(campaign, 60, seed=7)
    generate_participants(
        campaign, 3, seed=8, populations=[Population.objects.get(code="medecine")]
    )
    response = member_client.get(reverse("organisations:dashboard", args=[org.slug, campaign.pk]))
    page = text(response)
    small = next(r for r in response.context["data"].populations if r.key == "medecine")
    assert 0 < small.learners < queries.PRIVACY_THRESHOLD
    hidden = '<span class="dash-hidden">moins de 5 apprenants</span>'
    row = re.search(rf'<th scope="row">{re.escape(small.label)}</th>(.*?)</tr>', page).group(1)
    assert row.count(hidden) == 5  # the mean of each area
    assert f'<td class="dash-num">{small.learners}</td>' in row


def test_an_empty_campaign_has_a_dashboard_too(member_client, org, campaign):
    response = member_client.get(reverse("organisations:dashboard", args=[org.slug, campaign.pk]))
    assert response.status_code == 200
    assert "Personne n'a encore rejoint la campagne." in text(response)
    participants = member_client.get(
        reverse("organisations:participants", args=[org.slug, campaign.pk])
    )
    assert participants.status_code == 200


def test_participants_page_lists_names_status_and_shared_levels(member_client, org, generated):
    url = reverse("organisations:participants", args=[org.slug, generated.pk])
    response = member_client.get(url)
    page = text(response)
    assert "60 participants." in page
    assert "page 1 sur 2" in page
    first = response.context["data"].rows[0].participation
    assert first.user.email in page
    assert reverse("organisations:participant", args=[org.slug, generated.pk, first.pk]) in page
    assert "résultat non partagé" in page
    assert "à travailler" in page and "point fort" in page
    assert "?page=2" in page
    shared = member_client.get(url, {"statut": "shared"})
    assert {row.participation.status for row in shared.context["data"].rows} == {"shared"}
    assert '<option value="shared" selected>' in text(shared)
    count = len(shared.context["data"].rows)
    assert f"{count} participants correspondent à votre recherche." in text(shared)


def test_participants_page_lists_the_expected_learners_who_have_not_joined(
    member_client, org, generated
):
    page = text(
        member_client.get(reverse("organisations:participants", args=[org.slug, generated.pk]))
    )
    assert "66 apprenants attendus : 60 ont rejoint la campagne, 6 pas encore." in page
    assert "attendu-00000" in page


def test_participant_page_shows_the_shared_snapshot(
    member_client, org, generated, shared_participation
):
    response = member_client.get(
        reverse("organisations:participant", args=[org.slug, generated.pk, shared_participation.pk])
    )
    page = text(response)
    assert response.status_code == 200
    assert "Niveau par domaine" in page
    assert "D1.C1 Définir et classer les données de santé" in page
    assert "Résultat non partagé" not in page


def test_an_unshared_participant_shows_only_status_and_dates(member_client, org, generated):
    participation = Participation.objects.filter(campaign=generated, status="finished").first()
    page = text(
        member_client.get(
            reverse("organisations:participant", args=[org.slug, generated.pk, participation.pk])
        )
    )
    assert "Résultat non partagé" in page
    assert "Niveau par domaine" not in page
    assert "Test fini" in page


# --- bad query parameters ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("page", "params", "status"),
    [
        ("dashboard", {"par": "nimporte"}, 400),
        ("dashboard", {"par": ""}, 200),
        ("participants", {"statut": "perdu"}, 400),
        ("participants", {"page": "abc"}, 200),
        ("participants", {"page": "-3"}, 200),
        ("participants", {"page": "99999"}, 200),
        ("participants", {"attendus": "1e9"}, 200),
        ("participants", {"statut": "shared", "page": "0"}, 200),
    ],
)
def test_bad_query_parameters_get_a_clear_answer(
    member_client, org, generated, shared_participation, page, params, status
):
    response = member_client.get(pages(org, generated, shared_participation.pk)[page], params)
    assert response.status_code == status
    if status == 400:
        assert "Le formulaire contient une erreur." in text(response)


# --- isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["overview", "dashboard", "participants", "participant"])
def test_staff_of_another_organisation_get_404(
    client, outsider, org, generated, shared_participation, page
):
    client.force_login(outsider)
    assert client.get(pages(org, generated, shared_participation.pk)[page]).status_code == 404


@pytest.mark.parametrize("page", ["overview", "dashboard", "participants", "participant"])
def test_a_learner_of_the_campaign_gets_404(client, org, generated, page):
    learner = make_user("apprenant@example.org")
    participation = join_campaign(learner, generated)
    client.force_login(learner)
    assert client.get(pages(org, generated, participation.pk)[page]).status_code == 404


@pytest.mark.parametrize("page", ["overview", "dashboard", "participants", "participant"])
def test_anonymous_visitors_are_sent_to_the_login_page(
    client, org, generated, shared_participation, page
):
    response = client.get(pages(org, generated, shared_participation.pk)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_campaign_of_another_organisation_is_not_found_through_ours(
    member_client, org, make_campaign, outsider, shared_participation
):
    other = make_campaign(organisation=outsider.organisations.get(), name="Ailleurs")
    generate_participants(other, 6, seed=1)
    foreign = Participation.objects.filter(campaign=other).first()
    assert member_client.get(pages(org, other, foreign.pk)["dashboard"]).status_code == 404
    campaign = shared_participation.campaign
    assert member_client.get(pages(org, campaign, foreign.pk)["participant"]).status_code == 404


# --- number of queries ------------------------------------------------------------------


@pytest.mark.parametrize("participants", [20, 200])
def test_pages_take_the_same_number_of_queries_whatever_the_participants(
    member_client, django_assert_num_queries, org, campaign, participants
):
    generate_participants(campaign, participants, seed=3)
    # A participant who shares their plan too: the heaviest participant's page.
    shared = Participation.objects.filter(
        campaign=campaign, status="shared", plan_shared=True
    ).first()
    urls = pages(org, campaign, shared.pk)
    expected = {
        "overview": OVERVIEW_QUERIES,
        "dashboard": DASHBOARD_QUERIES,
        "participants": PARTICIPANTS_QUERIES,
        "participant": PARTICIPANT_QUERIES,
    }
    for page, count in expected.items():
        with django_assert_num_queries(count):
            assert member_client.get(urls[page]).status_code == 200


def test_an_erased_account_shows_as_deleted_with_its_shared_levels(
    member_client, org, generated, shared_participation
):
    erase_user(shared_participation.user)
    shared_participation.user.refresh_from_db()
    listing = text(
        member_client.get(reverse("organisations:participants", args=[org.slug, generated.pk]))
    )
    detail = text(
        member_client.get(
            reverse(
                "organisations:participant",
                args=[org.slug, generated.pk, shared_participation.pk],
            )
        )
    )
    assert "Compte supprimé" in listing and "Compte supprimé" in detail
    assert shared_participation.user.email not in listing + detail
    assert "Niveau par domaine" in detail
