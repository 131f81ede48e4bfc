"""Account forms. Every field is validated here; services receive clean values only."""

from __future__ import annotations

import unicodedata

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus, Region
from palier.accounts.models import NAME_MAX_LENGTH, User
from palier.frameworks.models import Population

EMAIL_MAX_LENGTH = 254
# Punctuation found in people's names; everything else must be a letter (or a combining mark).
NAME_PUNCTUATION = frozenset(" '\u2019-.")  # space, apostrophes, hyphen, dot


def validate_person_name(value: str) -> None:
    """Names hold letters, spaces, apostrophes, hyphens and initials' dots, nothing else.

    Names are shown to organisation staff and must never carry a link or a line break into a
    page or an export: digits, slashes, colons, "@", control characters and a dot followed by
    a letter (as in a domain name) are refused."""
    for position, character in enumerate(value):
        if character in NAME_PUNCTUATION:
            following = value[position + 1 : position + 2]
            if character == "." and following.isalpha():
                break
            continue
        if not unicodedata.category(character).startswith(("L", "M")):
            break
    else:
        return
    raise forms.ValidationError(
        _(
            "Un nom ne contient que des lettres, des espaces, des apostrophes, des tirets "
            "et des points."
        ),
        code="invalid_name",
    )


class SignupForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères, pas uniquement des chiffres, pas trop courant."),
    )
    password2 = forms.CharField(
        label=_("Confirmation du mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_email(self) -> str:
        # An address that already has an account is not an error here: the form must answer
        # the same way for every address (the service e-mails the owner instead).
        return self.cleaned_data["email"].strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        # Both problems are shown at once: a mismatch must not hide that the password is weak.
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        if password1:
            candidate = User(
                email=cleaned.get("email", ""),
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "unconfirmed": _(
            "Confirmez d'abord votre adresse e-mail : le lien vous a été envoyé à l'inscription."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def confirm_login_allowed(self, user: User) -> None:  # type: ignore[override]
        super().confirm_login_allowed(user)
        if not user.email_confirmed:
            raise forms.ValidationError(self.error_messages["unconfirmed"], code="unconfirmed")


def _names(population: Population) -> set[str]:
    """The code and titles a population is found by, case folded."""
    names = (population.code, population.title_fr, population.title_en)
    return {name.casefold() for name in names if name}


class PopulationField(forms.CharField):
    """A curriculum or occupation typed into a text box with a list of suggestions
    (<datalist>): the browser filters the list as one types, with the keyboard and screen
    readers, and the form posts without JavaScript. The name is accepted in French or in
    English, whatever the case, as is the population's code."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=300, **kwargs)  # type: ignore[arg-type]

    @property
    def datalist(self) -> list[str]:
        """The suggestions, in the reader's language (read at each rendering)."""
        return [population.title for population in Population.objects.all()]

    def prepare_value(self, value: object) -> object:
        if isinstance(value, Population):
            return value.title
        if isinstance(value, str) and value:
            population = Population.objects.filter(code=value).first()
            return population.title if population else value
        return value

    def clean(self, value: object) -> Population | None:  # type: ignore[override]
        text = " ".join(str(super().clean(value) or "").split())
        if not text:
            return None
        # Compared in Python: SQLite ignores the case of ASCII letters only ("É" ≠ "é").
        wanted = text.casefold()
        population = next(
            (population for population in Population.objects.all() if wanted in _names(population)),
            None,
        )
        if population is None:
            raise forms.ValidationError(
                _("Choisissez votre formation ou votre métier dans la liste proposée."),
                code="unknown_population",
            )
        return population


class ProfileForm(forms.Form):
    """What Palier needs to know, most useful first: the curriculum (the expected levels),
    then the situation and region (the training offers that fit), the accommodations for the
    test, and the name shown to the organisations one shares results with."""

    population = PopulationField(
        label=_("Formation ou métier"),
        required=False,
        help_text=_(
            "Il détermine les niveaux attendus pour vous dans chaque domaine. Tapez quelques "
            "lettres (par exemple « infirmier ») puis choisissez dans la liste."
        ),
    )
    status = forms.ChoiceField(
        label=_("Situation"), choices=[("", "—"), *LearnerStatus.choices], required=False
    )
    year_of_study = forms.IntegerField(
        label=_("Année de formation"),
        min_value=1,
        max_value=6,
        required=False,
        help_text=_("Seulement si vous êtes en formation."),
    )
    region = forms.ChoiceField(
        label=_("Région"), choices=[("", "—"), *Region.choices], required=False
    )
    extra_time = forms.BooleanField(
        label=_("Je bénéficie d'un temps majoré (tiers-temps) pour les évaluations"),
        required=False,
    )
    uses_screen_reader = forms.BooleanField(
        label=_("J'utilise un lecteur d'écran : ne me proposer que des questions adaptées"),
        required=False,
    )
    learning_records_opt_out = forms.BooleanField(
        label=_("Ne pas envoyer mes traces d'apprentissage à l'entrepôt de traces (xAPI)"),
        required=False,
        help_text=_(
            "Quand la plateforme est reliée à un entrepôt de traces d'apprentissage, elle y "
            "envoie vos tests, vos réponses (juste ou fausse, jamais le contenu), votre plan "
            "de formation et vos certifications, sous un pseudonyme. Cochez pour ne rien "
            "envoyer."
        ),
    )
    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        validators=[validate_person_name],
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=NAME_MAX_LENGTH,
        required=False,
        validators=[validate_person_name],
    )

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("year_of_study") and cleaned.get("status") != LearnerStatus.STUDENT:
            self.add_error(
                "year_of_study",
                _("L'année de formation ne s'indique que si vous êtes en formation."),
            )
        return cleaned


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=EMAIL_MAX_LENGTH,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que mon compte et mes données personnelles seront effacés."),
    )

    def __init__(self, user: User, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="wrong_password")
        return password
