"""Forms of the supervision and jury pages. They check the shape of what was typed; the
services decide (and their refusals come back as errors of these forms)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.certification.errors import CertificationError
from palier.certification.models import Candidate, Incident, JuryDecision

INCIDENT_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 2000
REPORT_MAX_LENGTH = 10000


class ServiceErrorsMixin:
    """Put a service's refusal on the form: on its fields when it names them, else on the
    whole form."""

    def add_service_error(self, error: CertificationError) -> None:
        placed = False
        for name, messages in error.fields.items():
            if name in self.fields:  # type: ignore[attr-defined]
                for message in messages:
                    self.add_error(name, message)  # type: ignore[attr-defined]
                placed = True
        if not placed:
            self.add_error(None, error.message)  # type: ignore[attr-defined]


class PasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Mot de passe de surveillance"),
        help_text=_("Donné par le centre de certification pour cette session."),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


def candidate_choices(candidates: list[Candidate]) -> list[tuple[str, str]]:
    return [
        (str(candidate.pk), candidate.user.get_full_name() or candidate.user.email)
        for candidate in candidates
    ]


class IncidentForm(ServiceErrorsMixin, forms.Form):
    candidate = forms.ChoiceField(label=_("Concerne"), required=False)
    category = forms.ChoiceField(label=_("Catégorie"), choices=Incident.Category.choices)
    comment = forms.CharField(
        label=_("Ce qui s'est passé"),
        max_length=INCIDENT_MAX_LENGTH,
        widget=forms.Textarea,
    )

    def __init__(self, *args, candidates: list[Candidate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = {candidate.pk: candidate for candidate in candidates}
        self.fields["candidate"].choices = [
            ("", _("Toute la session")),
            *candidate_choices(candidates),
        ]

    def chosen_candidate(self) -> Candidate | None:
        value = self.cleaned_data.get("candidate")
        return self.candidates[int(value)] if value else None


class FinaliseForm(ServiceErrorsMixin, forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Candidats présents"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    report = forms.CharField(
        label=_("Rapport de session"),
        help_text=_(
            "Déroulement, incidents, décisions prises en salle. Le rapport est joint au "
            "procès-verbal de la session."
        ),
        max_length=REPORT_MAX_LENGTH,
        widget=forms.Textarea,
    )

    def __init__(self, *args, candidates: list[Candidate], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = candidate_choices(candidates)
        if not self.is_bound:
            # Those who arrived are ticked; the invigilator corrects the list.
            self.initial["present"] = [
                str(candidate.pk)
                for candidate in candidates
                if candidate.arrived_at is not None or candidate.attempt_id is not None
            ]

    def present_ids(self) -> set[int]:
        return {int(value) for value in self.cleaned_data.get("present", [])}


class ReviewForm(ServiceErrorsMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (JuryDecision.Outcome.CERTIFIED, _("Certifier les niveaux atteints")),
            (JuryDecision.Outcome.REJECTED, _("Rejeter le résultat")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Motif de la décision"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
    )


class RevokeForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de la révocation"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea,
    )
