"""Forms of the standard-setting workspace. They check what a person typed; the services
check again (and decide), so a form error and a service error say the same thing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from palier.engine.standard_setting import DEFAULT_RESPONSE_PROBABILITY
from palier.frameworks.models import Area, Level
from palier.items.models import Calibration
from palier.psychometrics.standard_setting import bookmark_page_errors

REASON_MAX_LENGTH = 2000


class StudyForm(forms.Form):
    name = forms.CharField(label=_("Nom de la séance"), max_length=200)
    area = forms.ModelChoiceField(label=_("Domaine"), queryset=Area.objects.none())
    calibration = forms.ModelChoiceField(
        label=_("Calibration"),
        queryset=Calibration.objects.none(),
        help_text=_("Les questions du livret sont classées d'après ses paramètres."),
    )
    response_probability = forms.FloatField(
        label=_("Probabilité de réussite retenue"),
        min_value=0.5,
        max_value=0.9,
        initial=DEFAULT_RESPONSE_PROBABILITY,
        help_text=_("0,67 par défaut (deux chances sur trois), de 0,5 à 0,9."),
        widget=forms.NumberInput(attrs={"step": "0.01"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        calibration_field = self.fields["calibration"]
        assert isinstance(area_field, forms.ModelChoiceField)
        assert isinstance(calibration_field, forms.ModelChoiceField)
        # Every framework version: a study may run on a version made by an earlier one.
        area_field.queryset = Area.objects.select_related("framework").order_by(
            "framework__code", "-framework__published_at", "-framework__pk", "number"
        )
        area_field.label_from_instance = _area_label
        calibrations = Calibration.objects.select_related("framework").order_by(
            "-is_active", "-created_at", "-pk"
        )
        calibration_field.queryset = calibrations
        calibration_field.label_from_instance = _calibration_label
        active = calibrations.filter(is_active=True).first()
        if active is not None:
            calibration_field.initial = active.pk


def _area_label(area: Area) -> str:
    return f"{area.framework} · {area.code} — {area.title}"


def _calibration_label(calibration: Calibration) -> str:
    notes = []
    if calibration.is_active:
        notes.append(str(pgettext_lazy("état d'une calibration", "active")))
    if calibration.is_provisional:
        notes.append(str(_("provisoire")))
    if calibration.synthetic:
        notes.append(str(_("données simulées")))
    name = f"{calibration.framework} · {calibration.name}"
    return f"{name} ({', '.join(notes)})" if notes else name


class PanellistForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail du panéliste"),
        help_text=_("La personne doit avoir un compte sur la plateforme."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )


class BookmarkForm(forms.Form):
    """One page number per level boundary, for the round in progress."""

    def __init__(
        self,
        *args: Any,
        levels: list[Level],
        page_count: int,
        response_probability: float,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.levels = [level.rank for level in levels]
        self.page_count = page_count
        percent = round(response_probability * 100)
        for level in levels:
            self.fields[f"level_{level.rank}"] = forms.IntegerField(
                label=_("Début du niveau %(rank)s (%(label)s) : page du marque-page")
                % {"rank": level.rank, "label": level.label},
                min_value=1,
                max_value=page_count + 1,
                help_text=_(
                    "Première page qu'une personne tout juste au niveau %(rank)s n'a pas "
                    "%(percent)s chances sur 100 de réussir (%(last)s : après la dernière page)."
                )
                % {"rank": level.rank, "percent": percent, "last": page_count + 1},
            )

    def pages(self) -> dict[int, int | None]:
        return {rank: self.cleaned_data.get(f"level_{rank}") for rank in self.levels}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for field, messages in bookmark_page_errors(
                self.levels, self.pages(), self.page_count
            ).items():
                for message in messages:
                    self.add_error(None if field == "__all__" else field, message)
        return cleaned


class AdoptForm(forms.Form):
    version = forms.CharField(
        label=_("Nom de la nouvelle version du référentiel"),
        max_length=32,
        help_text=_("Lettres, chiffres, points et tirets ; la version copiée reste inchangée."),
    )
    reason = forms.CharField(
        label=_("Motif de l'adoption"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
        help_text=_("Par exemple : séance du panel, tour 2, seuils validés par le comité."),
    )
