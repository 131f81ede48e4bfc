"""Forms of the calibration pages: start a run, activate a draft, roll back, filter a review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.frameworks.models import Framework, Population
from palier.frameworks.queries import current_framework, published_frameworks
from palier.psychometrics.models import CalibrationRun

REASON_MAX_LENGTH = 1000


class StartRunForm(forms.Form):
    """Which responses to calibrate. Synthetic responses (a simulated pilot) are offered
    only in development or when the page is asked for them explicitly, so that nobody
    calibrates a real bank on simulated people by mistake."""

    framework = forms.ModelChoiceField(
        label=_("Version du référentiel"), queryset=Framework.objects.none(), empty_label=None
    )
    scope = forms.ChoiceField(
        label=_("Questions calibrées"),
        choices=CalibrationRun.Scope.choices,
        initial=CalibrationRun.Scope.ALL,
        widget=forms.RadioSelect,
    )
    period_start = forms.DateField(
        label=_("Réponses à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    period_end = forms.DateField(
        label=_("Réponses jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    populations = forms.ModelMultipleChoiceField(
        label=_("Publics"),
        help_text=_("Aucun coché : tous les publics."),
        queryset=Population.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    synthetic = forms.BooleanField(
        label=_("Calibrer les réponses du pilote simulé (données simulées, pas des personnes)"),
        required=False,
    )

    def __init__(self, *args: Any, allow_synthetic: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = published_frameworks()
        self.fields["framework"].label_from_instance = _framework_label
        current = current_framework()
        if current is not None:
            self.fields["framework"].initial = current.pk
        self.fields["populations"].queryset = Population.objects.order_by("position", "code")
        if not allow_synthetic:
            del self.fields["synthetic"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("La fin de la période doit suivre son début."))
        return cleaned

    def run_options(self) -> dict[str, Any]:
        """The keyword arguments of `start_calibration_run` after the framework."""
        data = self.cleaned_data
        return {
            "scope": data["scope"],
            "period_start": data["period_start"],
            "period_end": data["period_end"],
            "populations": tuple(data["populations"]),
            "synthetic": bool(data.get("synthetic", False)),
        }


def _framework_label(framework: Framework) -> str:
    return f"{framework.title} ({framework.version})"


class ReasonForm(forms.Form):
    """A required reason, kept in the activation history."""

    reason = forms.CharField(
        label=_("Motif"),
        help_text=_("Il figure dans l'historique des activations."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
    )

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(_("Indiquez le motif."))
        return reason


class ActivateForm(ReasonForm):
    """Activation of a run's draft, refused while the run reports blocking reasons."""

    def __init__(self, *args: Any, run: CalibrationRun, blocking: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.run = run
        self.blocking = blocking
        self.fields["reason"].label = _("Motif de l'activation")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.run.status != CalibrationRun.Status.READY or self.run.draft_id is None:
            raise forms.ValidationError(_("Ce calcul n'a pas de brouillon prêt à activer."))
        if self.blocking:
            raise forms.ValidationError(
                _("Ce brouillon ne peut pas être activé : %(reasons)s")
                % {"reasons": " ; ".join(self.blocking)}
            )
        return cleaned


class ReviewFilterForm(forms.Form):
    """Query parameters of the review page (wrong values fall back to the defaults)."""

    page = forms.IntegerField(min_value=1, required=False)
    domaine = forms.CharField(label=_("Domaine"), max_length=16, required=False)
    dif = forms.ChoiceField(
        label=_("Comparaisons listées"),
        choices=[("", _("classes B et C")), ("tous", _("toutes (A, B et C)"))],
        required=False,
    )

    def value(self, name: str) -> Any:
        if not self.is_valid():
            return self.fields[name].initial
        return self.cleaned_data.get(name)
