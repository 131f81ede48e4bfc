"""Forms of professionals' feedback: the short opinion, the framework proposal, steering's
filters and moderation."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from palier.frameworks.models import Area, Competence, Framework
from palier.steering.choices import FeedbackSubject, ProposalStatus
from palier.steering.models import COMMENT_MAX_LENGTH


def _scale(low: str, high: str) -> list[tuple[int, str]]:
    """Choices 1 to 5 with words at both ends ("1 — pas utile", 2, 3, 4, "5 — très utile"),
    translated when shown (the form class is built once, at import)."""
    return [
        (1, format_lazy("1 — {}", low)),
        (2, "2"),
        (3, "3"),
        (4, "4"),
        (5, format_lazy("5 — {}", high)),
    ]


def _rating(label: str, low: str, high: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=_scale(low, high),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("de 1 à 5"),
        error_messages={
            "required": _("Choisissez une note de 1 à 5."),
            "invalid_choice": _("Choisissez une note de 1 à 5."),
        },
    )


class FeedbackForm(forms.Form):
    usefulness = _rating(_("Était-ce utile pour vous ?"), _("pas utile"), _("très utile"))
    difficulty = _rating(_("Était-ce difficile ?"), _("très facile"), _("très difficile"))
    clarity = _rating(_("Était-ce clair ?"), _("pas clair"), _("très clair"))
    comment = forms.CharField(
        label=_("Un commentaire"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_(
            "2 000 caractères au plus. Ne donnez ni nom, ni numéro, ni adresse : "
            "ce commentaire est lu sans votre nom."
        ),
    )


class CompetenceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Competence) -> str:
        return f"{obj.code} — {obj.title}"


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.number}. {obj.title}"


class ProposalForm(forms.Form):
    area = AreaChoiceField(
        label=_("Domaine concerné"), queryset=Area.objects.none(), empty_label=_("Choisir")
    )
    competence = CompetenceChoiceField(
        label=_("Compétence concernée"),
        queryset=Competence.objects.none(),
        required=False,
        empty_label=_("Tout le domaine"),
        help_text=_("Elle doit appartenir au domaine choisi."),
    )
    proposal = forms.CharField(
        label=_("Votre proposition"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Ce qu'il faudrait ajouter, retirer ou reformuler."),
    )
    rationale = forms.CharField(
        label=_("Pourquoi ?"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Ce que vous observez dans votre pratique ou votre formation."),
    )

    def __init__(self, *args, framework: Framework | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if framework is not None:
            self.fields["area"].queryset = framework.areas.order_by("number")
            self.fields["competence"].queryset = Competence.objects.filter(
                area__framework=framework
            ).order_by("area__number", "position", "code")

    def clean(self) -> dict:
        data = super().clean()
        area, competence = data.get("area"), data.get("competence")
        if area is not None and competence is not None and competence.area_id != area.pk:
            self.add_error("competence", _("Cette compétence n'est pas de ce domaine."))
        return data


class FrameworkVersionField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Framework) -> str:
        return f"{obj.title} — {obj.version} ({obj.get_status_display()})"


class VersionsForm(forms.Form):
    """A form whose `framework` field offers the versions given (a proposal's framework)."""

    def __init__(self, *args, versions=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if versions is not None:
            self.fields["framework"].queryset = versions


class ModerationForm(VersionsForm):
    decision = forms.ChoiceField(
        label=_("Réponse"),
        choices=[
            (ProposalStatus.ACCEPTED, _("Retenir la proposition")),
            (ProposalStatus.REJECTED, _("Ne pas la retenir")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Message à l'auteur"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("L'auteur le lit avec la réponse."),
    )
    framework = FrameworkVersionField(
        label=_("Version du référentiel qui la reprend"),
        queryset=Framework.objects.none(),
        required=False,
        empty_label=_("Pas encore choisie"),
        help_text=_("Seulement si la proposition est retenue ; le plus souvent un brouillon."),
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("framework") is not None and data.get("decision") == ProposalStatus.REJECTED:
            self.add_error(
                "framework", _("Seule une proposition retenue est rattachée à une version.")
            )
        return data


class LinkForm(VersionsForm):
    framework = FrameworkVersionField(
        label=_("Version du référentiel qui la reprend"), queryset=Framework.objects.none()
    )


class FeedbackFilterForm(forms.Form):
    """Steering's choice of subject and month of comments, in the URL."""

    objet = forms.ChoiceField(
        label=_("Objet de l'avis"), choices=FeedbackSubject.choices, required=False
    )
    mois = forms.RegexField(
        label=_("Mois des commentaires"),
        regex=r"^20\d{2}-(0[1-9]|1[0-2])$",
        required=False,
        error_messages={"invalid": _("Mois attendu sous la forme AAAA-MM.")},
    )

    def subject(self) -> str:
        return self.cleaned_data.get("objet") or FeedbackSubject.RESULT

    def month(self) -> dt.date | None:
        value = self.cleaned_data.get("mois")
        if not value:
            return None
        year, month = value.split("-")
        return dt.date(int(year), int(month), 1)


class ProposalFilterForm(forms.Form):
    etat = forms.ChoiceField(
        label=_("État"), choices=[("", _("Toutes")), *ProposalStatus.choices], required=False
    )
