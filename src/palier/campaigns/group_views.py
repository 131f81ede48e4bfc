"""Staff pages of groups of learners (classes, promotions): the organisation's groups
(admins create, rename and delete them; members read), and a participant's groups, set from
the participant's page. Groups are also filled by the expected learners' import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from palier.campaigns import group_services
from palier.campaigns.access import access_campaign, access_shared_participation
from palier.campaigns.groups import access_group, organisation_groups
from palier.campaigns.models import GROUP_NAME_MAX_LENGTH, LearnerGroup
from palier.campaigns.services import CampaignError
from palier.core.http import method_not_allowed
from palier.organisations.access import access_organisation


class GroupForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Nom du groupe"),
        max_length=GROUP_NAME_MAX_LENGTH,
        help_text=gettext_lazy("Par exemple « Promotion 2025-2028 » ou « TD 2 »."),
    )


class LearnerGroupsForm(forms.Form):
    groups = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Groupes"),
        queryset=LearnerGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, organisation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = LearnerGroup.objects.filter(organisation=organisation)


def groups(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's groups; admins add one with the form (POST)."""
    organisation, membership = access_organisation(request.user, slug)
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    form = GroupForm(prefix="new")
    status = 200
    if request.method == "POST":
        organisation, membership = access_organisation(request.user, slug, admin_required=True)
        form = GroupForm(request.POST, prefix="new")
        if form.is_valid():
            try:
                group = group_services.create_group(organisation, form.cleaned_data["name"])
            except CampaignError as error:
                form.add_error("name", error.message)
            else:
                messages.success(request, _("Groupe « %(name)s » créé.") % {"name": group.name})
                return redirect("organisations:groups", organisation.slug)
        status = 400
    return render(
        request,
        "campaigns/staff/groups.html",
        {
            "organisation": organisation,
            "groups": organisation_groups(organisation),
            "form": form,
            "is_admin": membership.is_admin,
        },
        status=status,
    )


def group_edit(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    """Rename (`name`) or delete (`delete`) a group, then back to the groups' page."""
    group, _membership = access_group(request.user, slug, group_id, admin=True)
    if refused := method_not_allowed(request, "POST"):
        return refused
    if "delete" in request.POST:
        group_services.delete_group(group)
        messages.success(request, _("Groupe « %(name)s » supprimé.") % {"name": group.name})
        return redirect("organisations:groups", slug)
    form = GroupForm(request.POST, prefix=f"group-{group.pk}")
    if form.is_valid():
        try:
            group_services.rename_group(group, form.cleaned_data["name"])
        except CampaignError as error:
            form.add_error("name", error.message)
        else:
            messages.success(request, _("Groupe renommé « %(name)s ».") % {"name": group.name})
            return redirect("organisations:groups", slug)
    organisation = group.organisation
    return render(
        request,
        "campaigns/staff/groups.html",
        {
            "organisation": organisation,
            "groups": organisation_groups(organisation),
            "form": GroupForm(prefix="new"),
            "rename_form": form,
            "renamed": group,
            "is_admin": True,
        },
        status=400,
    )


def participant_groups(
    request: HttpRequest, slug: str, campaign_id: int, participation_id: int
) -> HttpResponse:
    """Set the groups of a participant (by their address) from their page."""
    campaign, _membership = access_campaign(request.user, slug, campaign_id, admin=True)
    participation = access_shared_participation(campaign, participation_id)
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = LearnerGroupsForm(request.POST, organisation=campaign.organisation)
    if not form.is_valid():
        messages.error(request, _("Groupe inconnu : rien n'a été changé."))
    else:
        group_services.set_learner_groups(
            campaign.organisation, participation.user.email, form.cleaned_data["groups"]
        )
        messages.success(request, _("Groupes enregistrés."))
    return redirect("organisations:participant", slug, campaign.pk, participation.pk)
