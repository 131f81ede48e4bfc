"""Staff pages of an organisation's team (members, invitations) and API tokens; the
invitation link.

Members see the team page read-only; only admins invite, change roles, remove, and manage
API tokens (403 for members, 404 for anyone outside the organisation, whatever the method:
the organisation gate runs before the method check). An API token is shown once, in the
answer to the form that creates it, and is never put in the session.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from palier.accounts import invitations, tokens_auth
from palier.accounts.choices import MembershipRole
from palier.accounts.models import Membership, Organisation, OrganisationToken
from palier.campaigns.access import access_staff
from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed

TOKEN_NAME_MAX_LENGTH = OrganisationToken._meta.get_field("name").max_length


class InvitationForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Rôle"),
        choices=MembershipRole.choices,
        initial=MembershipRole.MEMBER,
        help_text=gettext_lazy(
            "Un administrateur gère l'équipe, les campagnes et les imports ; "
            "un membre consulte les tableaux de bord."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=MembershipRole.choices)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nom du jeton"),
        max_length=TOKEN_NAME_MAX_LENGTH,
        help_text=gettext_lazy("Pour le reconnaître, par exemple « Logiciel de scolarité »."),
    )


# --- team -------------------------------------------------------------------------------


def _team_page(
    request: HttpRequest,
    organisation: Organisation,
    membership: Membership,
    form: InvitationForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_admin = membership.role == MembershipRole.ADMIN
    members = organisation.memberships.select_related("user").order_by(
        "user__last_name", "user__first_name", "user__email"
    )
    pending = organisation.invitations.filter(accepted_at__isnull=True).select_related("invited_by")
    return render(
        request,
        "campaigns/staff/team.html",
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
    organisation, membership = access_staff(request.user, slug)
    if refused := method_not_allowed(request, "GET"):
        return refused
    return _team_page(request, organisation, membership)


def team_invite(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_staff(request.user, slug, admin=True)
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
    organisation, _membership = access_staff(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    member = invitations.access_membership(organisation, membership_id)
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
    organisation, membership = access_staff(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    member = invitations.access_membership(organisation, membership_id)
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
        return redirect("accounts:organisations")
    return redirect("organisations:team", organisation.slug)


def team_cancel_invitation(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    organisation, _membership = access_staff(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    invitation = invitations.access_pending_invitation(organisation, invitation_id)
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
            return redirect("accounts:organisation", membership.organisation.slug)
    except ServiceError as error:
        return render(
            request,
            "campaigns/staff/invitation.html",
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
        "campaigns/staff/invitation.html",
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
        "campaigns/staff/tokens.html",
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


def tokens(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, _membership = access_staff(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "GET", "POST"):
        return refused
    if request.method != "POST":
        return _tokens_page(request, organisation, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _tokens_page(request, organisation, form, status=422)
    _token, secret = tokens_auth.create_token(organisation, request.user, form.cleaned_data["name"])
    # Rendered, not redirected: the secret must not travel through the session store.
    return _tokens_page(request, organisation, TokenForm(), secret=secret)


def token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    organisation, _membership = access_staff(request.user, slug, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    token = tokens_auth.access_organisation_token(organisation, token_id)
    tokens_auth.revoke_token(token)
    messages.success(request, _("Jeton « %(name)s » révoqué.") % {"name": token.name})
    return redirect("organisations:tokens", organisation.slug)
