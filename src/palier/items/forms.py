"""Authoring forms: item metadata plus the content of its latest version."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.core.uploads import UploadLimitError, load_json
from palier.items.content import (
    CONTENT_FIELDS,
    ItemContent,
    StimulusContent,
    clean_content,
    clean_enemy_group,
    clean_stimulus,
)
from palier.items.errors import ItemError
from palier.items.models import Item, ItemVersion, ProblemReport, Stimulus

TEXTAREA = forms.Textarea(attrs={"rows": 4, "cols": 80})
MAX_DEFINITION_BYTES = 50_000


class ItemAuthoringForm(forms.ModelForm):
    format = forms.ChoiceField(label=_("Format"), choices=ItemVersion.Format.choices)
    stimulus = forms.ModelChoiceField(
        label=_("Mise en situation"), required=False, queryset=Stimulus.objects.all()
    )
    stem_fr = forms.CharField(label=_("Énoncé (français)"), widget=TEXTAREA, max_length=4000)
    stem_en = forms.CharField(
        label=_("Énoncé (anglais)"), widget=TEXTAREA, required=False, max_length=4000
    )
    definition = forms.CharField(
        label=_("Définition de la réponse (JSON)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        max_length=MAX_DEFINITION_BYTES,
        help_text=_(
            "Options, bonne(s) réponse(s) et tolérances selon le format "
            "(voir la documentation de la banque d'items)."
        ),
    )
    feedback_fr = forms.CharField(
        label=_("Explication (français)"), widget=TEXTAREA, required=False, max_length=4000
    )
    feedback_en = forms.CharField(
        label=_("Explication (anglais)"), widget=TEXTAREA, required=False, max_length=4000
    )
    source = forms.CharField(label=_("Référence"), required=False, max_length=500)
    estimated_seconds = forms.IntegerField(
        label=_("Durée estimée (secondes)"), min_value=10, max_value=900, initial=60
    )
    screen_reader_ok = forms.BooleanField(
        label=_("Utilisable avec un lecteur d'écran"), required=False, initial=True
    )
    colour_independent = forms.BooleanField(
        label=_("Sans information portée par la couleur"), required=False, initial=True
    )
    review_comment = forms.CharField(
        label=_("Commentaire de relecture"),
        widget=TEXTAREA,
        required=False,
        max_length=5000,
        help_text=_("Obligatoire pour demander des modifications."),
    )

    class Meta:
        model = Item
        fields = ["code", "capacity", "intended_level", "enemy_group"]

    def clean_enemy_group(self) -> str:
        try:
            return clean_enemy_group(self.cleaned_data.get("enemy_group") or "")
        except ItemError as error:
            raise forms.ValidationError(error.fields["enemy_group"]) from error

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.latest_version() if self.instance.pk else None
        if version is not None:
            for name in CONTENT_FIELDS:
                self.fields[name].initial = getattr(version, name)
            self.fields["stimulus"].initial = version.stimulus_id  # a pk, not the object
            self.fields["definition"].initial = json.dumps(
                version.definition, ensure_ascii=False, indent=2
            )
        if self.instance.pk:
            self.fields["code"].disabled = True

    def clean_definition(self) -> dict[str, Any]:
        try:
            value = load_json(self.cleaned_data["definition"])
        except (json.JSONDecodeError, UploadLimitError) as error:
            raise forms.ValidationError(
                _("JSON invalide : %(error)s") % {"error": error}
            ) from error
        if not isinstance(value, dict):
            raise forms.ValidationError(_("La définition doit être un objet JSON."))
        return value

    def content(self) -> ItemContent:
        data = self.cleaned_data
        return ItemContent(
            format=data["format"],
            stem_fr=data["stem_fr"],
            stem_en=data.get("stem_en", ""),
            definition=data["definition"],
            feedback_fr=data.get("feedback_fr", ""),
            feedback_en=data.get("feedback_en", ""),
            source=data.get("source", ""),
            estimated_seconds=data["estimated_seconds"],
            screen_reader_ok=data.get("screen_reader_ok", False),
            colour_independent=data.get("colour_independent", False),
            stimulus=data.get("stimulus"),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            clean_content(self.content())
        except ItemError as error:
            for field, messages in error.fields.items():
                target = "definition" if field.startswith("definition") else field
                for message in messages:
                    detail = field.removeprefix("definition.") if target != field else ""
                    self.add_error(
                        target if target in self.fields else None,
                        f"{detail}: {message}" if detail else message,
                    )
        return cleaned


class StimulusAuthoringForm(forms.ModelForm):
    """A stimulus's code and type plus the texts of its latest version (saved as a new
    version by `services.update_stimulus` when learners already saw the latest one)."""

    title_fr = forms.CharField(label=_("Titre (français)"), max_length=300)
    title_en = forms.CharField(label=_("Titre (anglais)"), max_length=300, required=False)
    content_fr = forms.CharField(
        label=_("Contenu (français)"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20_000
    )
    content_en = forms.CharField(
        label=_("Contenu (anglais)"),
        widget=forms.Textarea(attrs={"rows": 12}),
        required=False,
        max_length=20_000,
    )

    class Meta:
        model = Stimulus
        fields = ["code", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        version = self.instance.latest_version() if self.instance.pk else None
        if version is not None:
            for name in STIMULUS_TEXT_FIELDS:
                self.fields[name].initial = getattr(version, name)
        if self.instance.pk:
            self.fields["code"].disabled = True

    def content(self) -> StimulusContent:
        data = self.cleaned_data
        return StimulusContent(
            kind=data["kind"],
            title_fr=data["title_fr"],
            title_en=data.get("title_en", ""),
            content_fr=data["content_fr"],
            content_en=data.get("content_en", ""),
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:
            clean_stimulus(self.content())
        except ItemError as error:
            for field, messages in error.fields.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


STIMULUS_TEXT_FIELDS = ("title_fr", "title_en", "content_fr", "content_en")


class ProblemReportForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Quel est le problème ?"), choices=ProblemReport.Category.choices
    )
    comment = forms.CharField(
        label=_("Précisez"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
