"""An organisation's team: the team page, invitations by e-mail, roles, the last admin."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from palier.organisations import invitations
from palier.organisations.choices import MembershipRole
from palier.organisations.models import Invitation, Membership
from tests.factories import make_member, make_organisation, make_user

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/organisations/invitation/\S+/)")


def team_url(org, name="team", *args):
    return reverse(f"organisations:{name}", args=[org.slug, *args])


def invite(org, admin, email="nouvelle@example.org", role=MembershipRole.MEMBER):
    return invitations.invite(org, admin, email, role)


# --- the page ---------------------------------------------------------------------------


def test_an_admin_sees_the_team_with_pending_invitations_and_the_forms(client, org, org_admin):
    make_member(org, email="camille@tilleuls.example", first_name="Camille", last_name="Roux")
    invite(org, org_admin)
    client.force_login(org_admin)
    response = client.get(team_url(org))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Camille Roux" in page and "camille@tilleuls.example" in page
    assert "nouvelle@example.org" in page
    assert response.context["form"] is not None
    assert team_url(org, "team_invite") in page


def test_a_member_sees_the_team_read_only(client, org, org_admin, org_member):
    invite(org, org_admin)
    client.force_login(org_member)
    response = client.get(team_url(org))
    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"] is None
    # Names and roles only: addresses and invitations are for the organisation's admins.
    assert "admin@tilleuls.example" not in page and "nouvelle@example.org" not in page
    assert "Administrateur de l" in page
    assert 'method="post"' not in page.split("</main>")[0].split("<main")[-1]
    membership = org.memberships.get(user=org_admin)
    invitation = Invitation.objects.get()
    for url, data in [
        (team_url(org, "team_invite"), {"email": "x@example.org", "role": "member"}),
        (team_url(org, "team_role", membership.pk), {"role": "member"}),
        (team_url(org, "team_remove", membership.pk), {}),
        (team_url(org, "team_cancel_invitation", invitation.pk), {}),
    ]:
        assert client.post(url, data).status_code == 403, url
    assert org.memberships.get(user=org_admin).role == MembershipRole.ADMIN
    assert Invitation.objects.count() == 1


def test_outsiders_and_learners_do_not_see_the_team(client, org, org_admin, outsider):
    membership = org.memberships.get(user=org_admin)
    for person in (outsider, make_user()):
        client.force_login(person)
        assert client.get(team_url(org)).status_code == 404
        assert client.post(team_url(org, "team_remove", membership.pk)).status_code == 404
    client.logout()
    response = client.get(team_url(org))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


# --- inviting ---------------------------------------------------------------------------


def test_inviting_twice_the_same_address_keeps_one_invitation(client, org, org_admin):
    client.force_login(org_admin)
    url = team_url(org, "team_invite")
    first = client.post(url, {"email": "Nouvelle@Example.org", "role": "member"})
    assert first.status_code == 302
    client.post(url, {"email": "nouvelle@example.org ", "role": "admin"})
    invitation = Invitation.objects.get()
    assert invitation.email == "nouvelle@example.org"
    assert invitation.role == MembershipRole.ADMIN
    assert invitation.invited_by == org_admin


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-address", "role": "member"}, "email"),
        ({"email": "", "role": "member"}, "email"),
        ({"email": "x@example.org", "role": "owner"}, "role"),
        ({"email": "member@tilleuls.example", "role": "member"}, "email"),
    ],
)
def test_a_bad_invitation_is_a_form_error_and_stores_nothing(
    client, org, org_admin, org_member, data, field
):
    client.force_login(org_admin)
    response = client.post(team_url(org, "team_invite"), data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Invitation.objects.exists()


def test_an_admin_cancels_an_invitation_and_its_link_stops_working(client, org, org_admin):
    invitation = invite(org, org_admin)
    token = invitations.make_invitation_token(invitation)
    client.force_login(org_admin)
    response = client.post(team_url(org, "team_cancel_invitation", invitation.pk))
    assert response.status_code == 302
    assert not Invitation.objects.exists()
    client.force_login(make_user("nouvelle@example.org"))
    response = client.get(reverse("organisations:invitation", args=[token]))
    assert response.status_code == 404
    assert "annulée" in response.content.decode()


# --- the e-mail and the link ------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_invitation_e_mail_is_sent_by_the_worker_and_its_link_adds_the_member(
    client, run_tasks
):
    org = make_organisation("IFSI des Lilas", slug="ifsi-lilas")
    admin = make_member(org, MembershipRole.ADMIN, email="chef@lilas.example", first_name="Inès")
    client.force_login(admin)
    client.post(team_url(org, "team_invite"), {"email": "nouvelle@example.org", "role": "admin"})
    assert mail.outbox == []  # queued, not sent in the request
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@example.org"]
    assert "IFSI des Lilas" in message.subject
    assert "Inès" in message.body and "administrateur" in message.body.lower()
    assert "créez-le d'abord" in message.body and "first create one" in message.body
    path = LINK.search(message.body).group(1)

    # Signed out, the link asks to sign in first and comes back.
    client.logout()
    response = client.get(path)
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]

    # The wrong account is refused, clearly, and nothing changes.
    intruder = make_user("autre@example.org")
    client.force_login(intruder)
    page = client.get(path)
    assert page.status_code == 403 and "une autre adresse" in page.content.decode()
    refused = client.post(path)
    assert refused.status_code == 403
    assert "Connectez-vous avec le compte de l'adresse invitée" in unescape(
        refused.content.decode()
    )
    assert not Membership.objects.filter(user=intruder).exists()

    # The invited person (the address in another case) accepts, once.
    invited = make_user("Nouvelle@example.org".lower())
    client.force_login(invited)
    assert "Accepter" in client.get(path).content.decode()
    response = client.post(path)
    assert response.status_code == 302
    assert response["Location"] == reverse("organisations:home", args=[org.slug])
    membership = Membership.objects.get(user=invited, organisation=org)
    assert membership.role == MembershipRole.ADMIN
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    assert client.post(path).status_code == 302  # idempotent
    assert Membership.objects.filter(user=invited).count() == 1
    assert Invitation.objects.get().accepted_at == invitation.accepted_at
    # The accepted invitation is no longer pending; no second e-mail goes out.
    run_tasks()
    assert len(mail.outbox) == 1


def test_the_invited_address_matches_whatever_its_case(org, org_admin):
    invitation = invite(org, org_admin, email="Camille.Roux@Example.org")
    user = make_user("camille.roux@example.org")
    token = invitations.make_invitation_token(invitation)
    membership = invitations.accept_invitation(token, user)
    assert membership.organisation == org and membership.role == MembershipRole.MEMBER


def test_accepting_never_lowers_an_existing_role(org, org_admin):
    invitation = invite(org, org_admin, email="second@example.org")
    second_admin = make_member(org, MembershipRole.ADMIN, email="second@example.org")
    membership = invitations.accept_invitation(
        invitations.make_invitation_token(invitation), second_admin
    )
    assert membership.role == MembershipRole.ADMIN


def test_an_expired_or_forged_link_is_refused(client, org, org_admin, monkeypatch):
    invitation = invite(org, org_admin)
    token = invitations.make_invitation_token(invitation)
    client.force_login(make_user("nouvelle@example.org"))
    forged = client.get(reverse("organisations:invitation", args=[token[:-2] + "xx"]))
    assert forged.status_code == 404
    monkeypatch.setattr(invitations, "INVITATION_MAX_AGE", timedelta(seconds=-1))
    expired = client.post(reverse("organisations:invitation", args=[token]))
    assert expired.status_code == 410 and "expiré" in expired.content.decode()
    assert Membership.objects.filter(organisation=org).count() == 1


# --- roles and removal ------------------------------------------------------------------


def test_an_admin_changes_a_role_and_removes_a_member(client, org, org_admin, org_member):
    client.force_login(org_admin)
    membership = org.memberships.get(user=org_member)
    response = client.post(team_url(org, "team_role", membership.pk), {"role": "admin"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == MembershipRole.ADMIN
    assert client.post(team_url(org, "team_remove", membership.pk)).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_an_unknown_role_changes_nothing(client, org, org_admin, org_member):
    client.force_login(org_admin)
    membership = org.memberships.get(user=org_member)
    response = client.post(
        team_url(org, "team_role", membership.pk), {"role": "owner"}, follow=True
    )
    assert "Rôle inconnu" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == MembershipRole.MEMBER


def test_the_last_admin_can_be_neither_removed_nor_demoted(client, org, org_admin, org_member):
    client.force_login(org_admin)
    own = org.memberships.get(user=org_admin)
    response = client.post(team_url(org, "team_remove", own.pk), follow=True)
    assert "au moins un administrateur" in response.content.decode()
    response = client.post(team_url(org, "team_role", own.pk), {"role": "member"}, follow=True)
    assert "au moins un administrateur" in response.content.decode()
    own.refresh_from_db()
    assert own.role == MembershipRole.ADMIN
    # With a second admin, the first may step down and leave.
    second = org.memberships.get(user=org_member)
    invitations.change_role(second, MembershipRole.ADMIN)
    response = client.post(team_url(org, "team_remove", own.pk))
    assert response["Location"] == reverse("organisations:mine")
    assert not Membership.objects.filter(pk=own.pk).exists()


def test_a_membership_of_another_organisation_is_404(client, org, org_admin, outsider):
    foreign = outsider.memberships.get()
    client.force_login(org_admin)
    assert client.post(team_url(org, "team_remove", foreign.pk)).status_code == 404
    assert (
        client.post(team_url(org, "team_role", foreign.pk), {"role": "member"}).status_code == 404
    )
    assert Membership.objects.filter(pk=foreign.pk, role=MembershipRole.ADMIN).exists()


def test_a_used_invitation_does_not_bring_back_a_removed_member(client, org, org_admin):
    invitation = invite(org, org_admin)
    token = invitations.make_invitation_token(invitation)
    person = make_user("nouvelle@example.org")
    membership = invitations.accept_invitation(token, person)
    invitations.remove_member(membership)
    client.force_login(person)
    response = client.post(reverse("organisations:invitation", args=[token]))
    assert response.status_code == 410 and "déjà été utilisée" in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_the_database_refuses_two_pending_invitations_for_one_address(org, org_admin):
    from django.db import IntegrityError, transaction

    from palier.organisations.models import Invitation

    Invitation.objects.create(organisation=org, email="nina@example.org", invited_by=org_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(organisation=org, email="Nina@Example.org", invited_by=org_admin)
    assert Invitation.objects.count() == 1
