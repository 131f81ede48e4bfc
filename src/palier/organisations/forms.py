"""Forms of the team and token pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from palier.organisations.choices import MembershipRole
from palier.organisations.models import OrganisationToken

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
