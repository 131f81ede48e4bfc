"""The attach forms of an award: one per kind (campaign, module, certification session),
each offering only the awardee organisation's objects that no award has yet."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.steering.award_access import CAMPAIGN, MODULE, SESSION, attachable
from palier.steering.award_queries import session_label
from palier.steering.models import Award

LABELS = {
    CAMPAIGN: _("Campagne de l'organisation"),
    MODULE: _("Module de formation proposé par l'organisation"),
    SESSION: _("Session de certification du centre de l'organisation"),
}
BUTTONS = {
    CAMPAIGN: _("Rattacher la campagne"),
    MODULE: _("Rattacher le module"),
    SESSION: _("Rattacher la session"),
}


class AttachedChoiceField(forms.ModelChoiceField):
    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(**kwargs)

    def label_from_instance(self, obj: Any) -> str:
        if self.kind == SESSION:
            return session_label(obj)
        if self.kind == MODULE:
            return obj.title
        return obj.name


class AttachForm(forms.Form):
    """Choose one object of `kind` to attach to `award`; another organisation's object, or
    one already attached, is not a valid choice."""

    def __init__(self, award: Award, kind: str, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.button = BUTTONS[kind]
        self.fields["objet"] = AttachedChoiceField(
            kind,
            queryset=attachable(award, kind),
            label=LABELS[kind],
            empty_label=None,
        )

    @property
    def has_choices(self) -> bool:
        return self.fields["objet"].queryset.exists()
