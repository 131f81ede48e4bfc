"""Authoring forms: item metadata plus the content of its latest version."""

from __future__ import annotations

import json
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.core.uploads import MAX_JSON_DEPTH, UploadLimitError, load_json
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


class MultilineTextField(forms.CharField):
    """A text typed in a textarea: browsers send its line breaks as CRLF; stored as LF, so
    that saving an unchanged page changes nothing."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).replace("\r\n", "\n")

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


def editor_labels() -> dict[str, str]:
    """The structured editor's texts in the page's language ({n}: a position, {noun}: what
    is moved)."""
    return {
        "title": _("Réponse attendue"),
        "json": _("Définition au format JSON (produite par l'éditeur, modifiable)"),
        "unreadable": _(
            "L'éditeur ne peut pas lire ce JSON : corrigez-le dans le champ ci-dessous."
        ),
        "hint_single": _("Écrivez les options et cochez la bonne réponse."),
        "hint_multiple": _("Écrivez les options et cochez toutes les bonnes réponses."),
        "hint_order": _(
            "Écrivez les éléments dans le bon ordre : les apprenants les verront mélangés."
        ),
        "hint_pairs": _(
            "Une paire par ligne. Laissez l'élément à associer vide pour ajouter une "
            "proposition sans paire (un distracteur)."
        ),
        "option_n": _("Option {n}"),
        "item_n": _("Élément {n}"),
        "pair_n": _("Paire {n}"),
        "option_noun": _("l'option"),
        "item_noun": _("l'élément"),
        "pair_noun": _("la paire"),
        "text_fr": _("Texte (français)"),
        "text_en": _("Texte (anglais)"),
        "correct": _("Bonne réponse"),
        "up": _("Monter"),
        "down": _("Descendre"),
        "remove": _("Supprimer"),
        "up_n": _("Monter {noun} {n}"),
        "down_n": _("Descendre {noun} {n}"),
        "remove_n": _("Supprimer {noun} {n}"),
        "moved": _("Déplacé en position {n}."),
        "removed": _("Supprimé."),
        "add_option": _("Ajouter une option"),
        "add_item": _("Ajouter un élément"),
        "add_pair": _("Ajouter une paire"),
        "left_fr": _("Élément à associer (français)"),
        "left_en": _("Élément à associer (anglais)"),
        "right_fr": _("Proposition correspondante (français)"),
        "right_en": _("Proposition correspondante (anglais)"),
        "value": _("Valeur attendue"),
        "tolerance": _("Tolérance (écart accepté en plus ou en moins)"),
        "unit_fr": _("Unité (français, facultative)"),
        "unit_en": _("Unité (anglais, facultative)"),
        "accepted_fr": _("Réponses acceptées en français (une par ligne)"),
        "accepted_en": _("Réponses acceptées en anglais (une par ligne)"),
        "typos": _("Fautes de frappe tolérées (réponses de 5 caractères ou plus)"),
    }


class DefinitionEditor(forms.Textarea):
    """The answer definition as JSON, with a structured editor built over it by a script
    (options with their "correct" tick, order, pairs, value and tolerance, accepted
    answers). The script writes the JSON; without it the JSON stays editable by hand."""

    class Media:
        js = ["items/definition-editor.js"]
        css = {"all": ["items/definition-editor.css"]}

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        labels = {key: str(label) for key, label in editor_labels().items()}
        attrs = {**(attrs or {}), "data-definition-editor": json.dumps(labels, ensure_ascii=False)}
        return super().get_context(name, value, attrs)


class DefinitionField(forms.CharField):
    """The definition's JSON; a new layout or spacing of the same JSON is no change."""

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return json.loads(initial or "null") != json.loads(data or "null")
        except (TypeError, ValueError, RecursionError):
            return super().has_changed(initial, data)


def definition_place(field: str) -> str:
    """Where a definition error is, in the editor's words ("options[2].text" -> "Option 3")."""
    numbered = re.match(r"^(options|left|right)\[(\d+)\]", field)
    if numbered:
        label = {
            "options": _("Option %(number)s"),
            "left": _("Élément à associer %(number)s"),
            "right": _("Proposition %(number)s"),
        }[numbered[1]]
        return label % {"number": int(numbered[2]) + 1}
    places = {
        "options": _("Options"),
        "left": _("Éléments à associer"),
        "right": _("Propositions"),
        "correct": _("Bonne réponse"),
        "value": _("Valeur attendue"),
        "tolerance": _("Tolérance"),
        "unit": _("Unité"),
        "accepted": _("Réponses acceptées"),
        "max_typos": _("Fautes de frappe tolérées"),
    }
    return str(places.get(re.split(r"[.\[]", field)[0], _("Définition")))


def json_error_message(error: json.JSONDecodeError | UploadLimitError) -> str:
    """A plain, translated message saying what is wrong with a JSON text and where."""
    if isinstance(error, json.JSONDecodeError):
        return _(
            "Ce JSON n'est pas valide (ligne %(line)s, colonne %(column)s) : vérifiez les "
            "guillemets, les virgules et les accolades à cet endroit."
        ) % {"line": error.lineno, "column": error.colno}
    return _("Ce JSON est trop imbriqué (%(depth)s niveaux au plus).") % {"depth": MAX_JSON_DEPTH}


class ItemAuthoringForm(forms.ModelForm):
    format = forms.ChoiceField(label=_("Format"), choices=ItemVersion.Format.choices)
    stimulus = forms.ModelChoiceField(
        label=_("Mise en situation"), required=False, queryset=Stimulus.objects.all()
    )
    stem_fr = MultilineTextField(label=_("Énoncé (français)"), widget=TEXTAREA, max_length=4000)
    stem_en = MultilineTextField(
        label=_("Énoncé (anglais)"), widget=TEXTAREA, required=False, max_length=4000
    )
    definition = DefinitionField(
        label=_("Définition de la réponse (JSON)"),
        widget=DefinitionEditor(attrs={"rows": 12}),
        max_length=MAX_DEFINITION_BYTES,
        help_text=_(
            "Options, bonne(s) réponse(s) et tolérances selon le format "
            "(voir la documentation de la banque d'items)."
        ),
    )
    feedback_fr = MultilineTextField(
        label=_("Explication (français)"), widget=TEXTAREA, required=False, max_length=4000
    )
    feedback_en = MultilineTextField(
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
        else:
            self.fields["code"].required = False
            self.fields["code"].help_text = _(
                "Laissez vide : le numéro suivant du domaine est attribué (par exemple D1-0124)."
            )

    def clean_definition(self) -> dict[str, Any]:
        try:
            value = load_json(self.cleaned_data["definition"])
        except (json.JSONDecodeError, UploadLimitError) as error:
            raise forms.ValidationError(json_error_message(error)) from error
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
                    place = definition_place(field.removeprefix("definition."))
                    self.add_error(
                        target if target in self.fields else None,
                        _("%(place)s : %(message)s") % {"place": place, "message": message}
                        if target != field
                        else message,
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
