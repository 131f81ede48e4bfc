"""The training manager's follow-up: searching and filtering participants, a participant's
page (shared result, shared plan, history in the organisation only), groups of learners
(edited, imported, filtering the dashboard with the same privacy rule), and the learner-list
import confirmed without sending the file again."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from palier.campaigns import queries
from palier.campaigns.generate import generate_participants
from palier.campaigns.group_services import add_members, create_group
from palier.campaigns.imports import PENDING_IMPORT_MINUTES, import_expected
from palier.campaigns.models import (
    ExpectedLearner,
    LearnerGroup,
    LearnerGroupMember,
    Participation,
    PendingImport,
)
from palier.campaigns.services import join_campaign
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def participants_url(campaign) -> str:
    return reverse("organisations:participants", args=[campaign.organisation.slug, campaign.pk])


def participant_url(participation) -> str:
    campaign = participation.campaign
    return reverse(
        "organisations:participant",
        args=[campaign.organisation.slug, campaign.pk, participation.pk],
    )


def listed(response) -> list[str]:
    return [row.participation.user.email for row in response.context["data"].rows]


@pytest.fixture
def people(campaign):
    """Three participants and one expected learner who has not joined."""
    elodie = join_campaign(
        make_user("elodie.martin@example.org", first_name="Élodie", last_name="Martin"),
        campaign,
        external_id="20260001",
    )
    theo = join_campaign(
        make_user("theo.durand@example.org", first_name="Théo", last_name="Durand"), campaign
    )
    linh = join_campaign(
        make_user("linh.nguyen@example.org", first_name="Linh", last_name="Nguyen"), campaign
    )
    ExpectedLearner.objects.create(
        campaign=campaign, email="Elodie.Martin@example.org", year_of_study=2
    )
    ExpectedLearner.objects.create(
        campaign=campaign, email="absent@example.org", last_name="Absent", year_of_study=2
    )
    return elodie, theo, linh


# --- search and filters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("martin", ["elodie.martin@example.org"]),
        ("théo durand", ["theo.durand@example.org"]),
        ("nguyen@", ["linh.nguyen@example.org"]),
        ("20260001", ["elodie.martin@example.org"]),
        ("personne", []),
    ],
)
def test_participants_are_found_by_name_email_or_external_id(
    client, org_member, campaign, people, query, expected
):
    client.force_login(org_member)
    response = client.get(participants_url(campaign), {"q": query})
    assert response.status_code == 200
    assert listed(response) == expected


def test_the_year_filter_reads_the_imported_list_and_keeps_the_not_joined(
    client, org_member, campaign, people
):
    client.force_login(org_member)
    response = client.get(participants_url(campaign), {"annee": "2"})
    assert listed(response) == ["elodie.martin@example.org"]
    assert [learner.email for learner in response.context["data"].not_joined] == [
        "absent@example.org"
    ]
    expected_only = client.get(participants_url(campaign), {"statut": "expected"})
    assert listed(expected_only) == []
    assert [learner.email for learner in expected_only.context["data"].not_joined] == [
        "absent@example.org"
    ]


def test_filters_are_kept_in_the_pagination_links(client, org_member, campaign):
    generate_participants(campaign, 60, seed=2)
    client.force_login(org_member)
    response = client.get(participants_url(campaign), {"statut": "joined", "q": "demo"})
    body = response.content.decode()
    if response.context["data"].page.has_next():
        assert "statut=joined" in body and "q=demo" in body and "page=2" in body


@pytest.mark.parametrize(
    "params", [{"statut": "perdu"}, {"annee": "9"}, {"groupe": "999999"}, {"public": "x"}]
)
def test_an_unknown_filter_value_is_a_clear_400(client, org_member, campaign, params):
    client.force_login(org_member)
    response = client.get(participants_url(campaign), params)
    assert response.status_code == 400
    assert "Le formulaire contient une erreur." in response.content.decode()


def test_another_organisations_group_is_not_a_filter_value(
    client, org_member, campaign, people, outsider
):
    foreign = create_group(outsider.organisations.get(), "Ailleurs")
    client.force_login(org_member)
    assert client.get(participants_url(campaign), {"groupe": foreign.pk}).status_code == 400


def test_the_group_filter_lists_its_members_only(client, org_member, campaign, people):
    add_members(campaign.organisation, [("ELODIE.martin@example.org", "TD 1")])
    group = LearnerGroup.objects.get(name="TD 1")
    client.force_login(org_member)
    response = client.get(participants_url(campaign), {"groupe": group.pk})
    assert listed(response) == ["elodie.martin@example.org"]


# --- a participant's page ------------------------------------------------------------------


def test_a_participant_page_shows_the_history_of_this_organisation_only(
    client, org_member, make_campaign, outsider, people
):
    elodie = people[0]
    earlier = make_campaign(name="Rentrée 2025")
    join_campaign(elodie.user, earlier)
    elsewhere = make_campaign(organisation=outsider.organisations.get(), name="Campagne ailleurs")
    join_campaign(elodie.user, elsewhere)
    client.force_login(org_member)
    response = client.get(participant_url(elodie))
    body = response.content.decode()
    assert "Rentrée 2025" in body
    assert "Campagne ailleurs" not in body
    assert [row.participation.campaign for row in response.context["history"]] == [earlier]
    assert "ne vous partage pas son plan" in body


def test_a_participant_of_another_organisation_answers_404(client, outsider, people, campaign):
    client.force_login(outsider)
    assert client.get(participant_url(people[0])).status_code == 404


def test_a_shared_plan_shows_on_the_participant_page(client, org_member, campaign):
    generate_participants(campaign, 30, seed=3)
    sharer = Participation.objects.filter(campaign=campaign, plan_shared=True).first()
    client.force_login(org_member)
    response = client.get(participant_url(sharer))
    assert response.context["plan"] is not None
    assert "Plan de formation partagé par l'apprenant" in response.content.decode()


# --- groups --------------------------------------------------------------------------------


def groups_url(organisation) -> str:
    return reverse("organisations:groups", args=[organisation.slug])


def test_admins_create_rename_and_delete_groups(client, org, org_admin):
    client.force_login(org_admin)
    assert client.post(groups_url(org), {"new-name": "  Promotion   2026 "}).status_code == 302
    group = LearnerGroup.objects.get(organisation=org)
    assert group.name == "Promotion 2026"
    duplicate = client.post(groups_url(org), {"new-name": "promotion 2026"})
    assert duplicate.status_code == 400
    assert "Un groupe s&#x27;appelle déjà" in duplicate.content.decode()
    edit = reverse("organisations:group_edit", args=[org.slug, group.pk])
    assert client.post(edit, {f"group-{group.pk}-name": "TD 2"}).status_code == 302
    group.refresh_from_db()
    assert group.name == "TD 2"
    assert client.post(edit, {f"group-{group.pk}-name": ""}).status_code == 400
    assert client.post(edit, {"delete": "1"}).status_code == 302
    assert not LearnerGroup.objects.exists()


def test_members_read_groups_but_cannot_change_them(client, org, org_member):
    group = create_group(org, "TD 1")
    client.force_login(org_member)
    assert client.get(groups_url(org)).status_code == 200
    assert client.post(groups_url(org), {"new-name": "TD 2"}).status_code == 403
    edit = reverse("organisations:group_edit", args=[org.slug, group.pk])
    assert client.post(edit, {"delete": "1"}).status_code == 403
    assert list(LearnerGroup.objects.values_list("name", flat=True)) == ["TD 1"]


def test_another_organisations_group_answers_404(client, org, outsider):
    group = create_group(org, "TD 1")
    client.force_login(outsider)
    own = outsider.organisations.get()
    edit = reverse("organisations:group_edit", args=[own.slug, group.pk])
    assert client.post(edit, {"delete": "1"}).status_code == 404
    assert LearnerGroup.objects.exists()


def test_an_admin_sets_a_participants_groups_from_their_page(client, org_admin, people):
    elodie = people[0]
    organisation = elodie.campaign.organisation
    td1, td2 = create_group(organisation, "TD 1"), create_group(organisation, "TD 2")
    add_members(organisation, [(elodie.user.email, "TD 1")])
    client.force_login(org_admin)
    url = reverse(
        "organisations:participant_groups",
        args=[organisation.slug, elodie.campaign_id, elodie.pk],
    )
    assert client.post(url, {"groups": [td2.pk]}).status_code == 302
    assert list(
        LearnerGroupMember.objects.filter(email=elodie.user.email).values_list("group", flat=True)
    ) == [td2.pk]
    assert td1.members.count() == 0


def test_the_dashboard_follows_the_group_with_the_same_privacy_threshold(
    client, org_member, campaign
):
    generate_participants(campaign, 40, seed=5)
    shared = list(Participation.objects.filter(campaign=campaign, status="shared"))
    assert len(shared) >= 8
    few = [p.user.email for p in shared[: queries.PRIVACY_THRESHOLD - 1]]
    enough = [p.user.email for p in shared[:8]]
    add_members(campaign.organisation, [(email, "Petit groupe") for email in few])
    add_members(campaign.organisation, [(email, "Promotion") for email in enough])
    small = LearnerGroup.objects.get(name="Petit groupe")
    large = LearnerGroup.objects.get(name="Promotion")

    whole = queries.campaign_dashboard(campaign)
    data = queries.campaign_dashboard(campaign, group=large)
    assert data.funnel.shared == 8 < whole.funnel.shared
    assert all(row.learners == 8 for row in data.levels)
    assert all(row.mean.value is not None for row in data.levels)
    hidden = queries.campaign_dashboard(campaign, group=small)
    assert hidden.funnel.shared == queries.PRIVACY_THRESHOLD - 1
    assert all(row.mean.value is None and row.mean.hidden for row in hidden.levels)

    client.force_login(org_member)
    url = reverse("organisations:dashboard", args=[campaign.organisation.slug, campaign.pk])
    page = client.get(url, {"groupe": large.pk})
    assert page.status_code == 200
    assert page.context["data"].funnel.shared == 8
    assert "Chiffres du groupe « Promotion »" in page.content.decode()


# --- the import: groups, the campaign's own external-id label, confirmation ----------------

LIST_WITH_LABEL = (
    "nom;prénom;e-mail;N° étudiant;groupe\n"
    "Martin;Élodie;elodie.martin@example.org;20260001;TD 1\n"
    "Durand;Théo;theo.durand@example.org;20260002;td 1\n"
    "Nguyen;Linh;linh.nguyen@example.org;20260003;\n"
)


def import_url(campaign) -> str:
    return reverse("organisations:expected_import", args=[campaign.organisation.slug, campaign.pk])


def confirm_url(campaign) -> str:
    return reverse(
        "organisations:expected_import_confirm", args=[campaign.organisation.slug, campaign.pk]
    )


def upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("liste.csv", text.encode(), content_type="text/csv")


def test_the_campaigns_external_id_label_is_accepted_as_a_column(make_campaign):
    campaign = make_campaign(external_id_label="N° étudiant")
    report = import_expected(campaign, io.BytesIO(LIST_WITH_LABEL.encode()), dry_run=False)
    assert report.created == 3
    assert sorted(ExpectedLearner.objects.values_list("external_id", flat=True)) == [
        "20260001",
        "20260002",
        "20260003",
    ]
    # One group, whatever the case of its name in the file; an empty cell adds no one.
    group = LearnerGroup.objects.get()
    assert group.name == "TD 1"
    assert sorted(group.members.values_list("email", flat=True)) == [
        "elodie.martin@example.org",
        "theo.durand@example.org",
    ]


def test_without_the_label_that_column_is_unknown(campaign):
    with pytest.raises(Exception, match="n'a pas été importé"):
        import_expected(campaign, io.BytesIO(LIST_WITH_LABEL.encode()), dry_run=True)


def test_a_dry_run_is_confirmed_without_sending_the_file_again(client, make_campaign, org_admin):
    campaign = make_campaign(external_id_label="N° étudiant")
    client.force_login(org_admin)
    checked = client.post(import_url(campaign), {"file": upload(LIST_WITH_LABEL), "dry_run": "on"})
    assert checked.status_code == 200
    assert not ExpectedLearner.objects.exists() and not LearnerGroup.objects.exists()
    token = checked.context["confirm_form"]["token"].value()
    done = client.post(confirm_url(campaign), {"token": token})
    assert done.status_code == 302
    assert ExpectedLearner.objects.filter(campaign=campaign).count() == 3
    assert LearnerGroup.objects.get().members.count() == 2
    assert not PendingImport.objects.exists()
    # Once imported, the same confirmation is refused and changes nothing.
    again = client.post(confirm_url(campaign), {"token": token})
    assert again.status_code == 410
    assert ExpectedLearner.objects.count() == 3


def test_a_confirmation_is_refused_when_expired_replaced_or_someone_elses(
    client, campaign, org_admin, org
):
    from palier.organisations.choices import MembershipRole
    from tests.factories import make_member

    other_admin = make_member(org, MembershipRole.ADMIN, email="autre@example.org")
    text = "nom;prénom;e-mail\nMartin;Élodie;elodie.martin@example.org\n"
    client.force_login(org_admin)
    first = client.post(import_url(campaign), {"file": upload(text), "dry_run": "on"})
    first_token = first.context["confirm_form"]["token"].value()
    second = client.post(import_url(campaign), {"file": upload(text), "dry_run": "on"})
    token = second.context["confirm_form"]["token"].value()
    assert client.post(confirm_url(campaign), {"token": first_token}).status_code == 410
    client.force_login(other_admin)
    assert client.post(confirm_url(campaign), {"token": token}).status_code == 410
    client.force_login(org_admin)
    PendingImport.objects.update(
        created_at=timezone.now() - timedelta(minutes=PENDING_IMPORT_MINUTES + 1)
    )
    assert client.post(confirm_url(campaign), {"token": token}).status_code == 410
    assert client.post(confirm_url(campaign), {}).status_code == 400
    assert not ExpectedLearner.objects.exists()


def test_a_member_cannot_confirm_an_import(client, campaign, org_member):
    client.force_login(org_member)
    assert client.post(confirm_url(campaign), {"token": "x"}).status_code == 403
