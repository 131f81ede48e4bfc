from django import forms
from django.utils.translation import gettext_lazy as _


class LinkAccountForm(forms.Form):
    """The password of the existing account: proof that the person owns it."""

    password = forms.CharField(
        label=_("Mot de passe de votre compte Palier"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
