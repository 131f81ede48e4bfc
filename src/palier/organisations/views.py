"""Organisation pages: the user's organisations and an organisation's home, its team
(members, invitations) and API tokens; the invitation link.

Members see the team page read-only; only admins invite, change roles, remove, and manage
API tokens (403 for members, 404 for anyone outside the organisation, whatever the method:
the organisation gate runs before the method check). An API token is shown once, in the
answer to the form that creates it, and is never put in the session.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed
from palier.organisations import invitations, tokens
from palier.organisations.access import (
    access_membership,
    access_organisation,
    access_organisation_token,
    access_pending_invitation,
)
from palier.organisations.choices import MembershipRole
from palier.organisations.forms import InvitationForm, RoleForm, TokenForm
from palier.organisations.models import Membership, Organisation

# --- the user's organisations ------------------------------------------------------------


def my_organisations(request: HttpRequest) -> HttpResponse:
    """The organisations whose staff the user belongs to, with their role."""
    memberships = request.user.memberships.select_related("organisation").order_by(
        "organisation__name"
    )
    return render(request, "organisations/mine.html", {"memberships": memberships})


def home(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's home for its staff: its links to campaigns, team and training."""
    organisation, membership = access_organisation(request.user, slug)
    return render(
        request,
        "organisations/home.html",
        {
            "organisation": organisation,
            "membership": membership,
            "member_count": organisation.memberships.count(),
        },
    )


# --- team -------------------------------------------------------------------------------


def _team_page(
    request: HttpRequest,
    organisation: Organisation,
    membership: Membership,
    form: InvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_admin = membership.is_admin
    members = organisation.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__email"
    )
    pending = organisation.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(
        request,
        "organisations/team.html",
        {
            "organisation": organisation,
            "membership": membership,
            "is_admin": is_admin,
            "members": members,
            "invitations": pending,
            "form": (form or InvitationForm()) if is_admin else None,
            "role_choices": MembershipRole.choices,
        },
        status=status,
    )


def team(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    if refused := method_not_allowed(request, "GET"):
        return refused
    return _team_page(request, organisation, membership)


def team_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitations.invite(
                organisation, request.user, form.cleaned_data["email"], form.cleaned_data["role"]
            )
        except ServiceError as error:
            for field, errors in error.fields.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s.") % {"email": invitation.email},
            )
            return redirect("organisations:team", organisation.slug)
    return _team_page(request, organisation, membership, form, status=422)


def team_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    member = access_membership(organisation, membership_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Rôle inconnu : choisissez administrateur ou membre."))
        return redirect("organisations:team", organisation.slug)
    try:
        invitations.change_role(member, form.cleaned_data["role"])
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Rôle de %(person)s : %(role)s.")
            % {
                "person": member.user.get_full_name() or member.user.email,
                "role": member.get_role_display(),
            },
        )
    return redirect("organisations:team", organisation.slug)


def team_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    member = access_membership(organisation, membership_id)
    removed_oneself = member.pk == membership.pk
    try:
        invitations.remove_member(member)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("organisations:team", organisation.slug)
    messages.success(
        request,
        _("%(person)s ne fait plus partie de l'équipe.")
        % {"person": member.user.get_full_name() or member.user.email},
    )
    if removed_oneself:  # the team page is closed to them now
        return redirect("organisations:mine")
    return redirect("organisations:team", organisation.slug)


def team_cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    invitation = access_pending_invitation(organisation, invitation_id)
    invitations.cancel_invitation(invitation)
    messages.success(request, _("Invitation de %(email)s annulée.") % {"email": invitation.email})
    return redirect("organisations:team", organisation.slug)


# --- invitation link --------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The link of the e-mail: shows the invitation; accepting is a POST."""
    try:
        link = invitations.read_invitation(token, request.user)
        if request.method == "POST":
            membership = invitations.accept_invitation(token, request.user)
            messages.success(
                request,
                _("Vous avez rejoint l'équipe de l'organisation %(organisation)s.")
                % {"organisation": membership.organisation.name},
            )
            return redirect("organisations:home", membership.organisation.slug)
    except ServiceError as error:
        return render(
            request,
            "organisations/invitation.html",
            {"error": error.message, "code": error.code},
            status=error.status,
        )
    already = (
        link.email_matches
        and Membership.objects.filter(
            organisation=link.invitation.organisation, user=request.user
        ).exists()
    )
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": link.invitation,
            "email_matches": link.email_matches,
            "already_member": already,
        },
        status=200 if link.email_matches else 403,
    )


# --- API tokens -------------------------------------------------------------------------


def _tokens_page(
    request: HttpRequest,
    organisation: Organisation,
    form: TokenForm,
    secret: str = "",
    status: int = 200,
) -> HttpResponse:
    response = render(
        request,
        "organisations/tokens.html",
        {
            "organisation": organisation,
            "tokens": organisation.api_tokens.select_related("created_by"),
            "form": form,
            "secret": secret,
        },
        status=status,
    )
    if secret:
        response["Cache-Control"] = "no-store"
    return response


def token_list(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "GET", "POST"):
        return refused
    if request.method != "POST":
        return _tokens_page(request, organisation, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, organisation, form, status=422)
    _token, secret = tokens.create_token(organisation, request.user, form.cleaned_data["name"])
    # Rendered, not redirected: the secret must not travel through the session store.
    return _tokens_page(request, organisation, TokenForm(), secret=secret)


def token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    token = access_organisation_token(organisation, token_id)
    tokens.revoke_token(token)
    messages.success(request, _("Jeton « %(name)s » révoqué.") % {"name": token.name})
    return redirect("organisations:tokens", organisation.slug)
