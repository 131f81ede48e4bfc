"""Forms of campaigns: the staff campaign form, the learner's code and consent forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.campaigns.models import NAME_MAX_LENGTH, PURPOSE_MAX_LENGTH, Campaign, ReminderBatch
from palier.frameworks.models import Area, Framework, Population

# A campaign lasts at most this many days (two academic years).
MAX_DURATION_DAYS = 730


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign on the current framework's areas."""

    areas = forms.MultipleChoiceField(
        label=_("Domaines évalués"), widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "purpose",
            "kind",
            "areas",
            "target_population",
            "populations",
            "opens_on",
            "closes_on",
            "external_id_label",
            "sharing",
        ]
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 4}),
            "kind": forms.RadioSelect,
            "sharing": forms.RadioSelect,
            "populations": forms.CheckboxSelectMultiple,
            "opens_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "closes_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "purpose": _("Dites aux apprenants pourquoi vous leur demandez leurs résultats."),
            "populations": _("Les publics à qui la campagne s'adresse (facultatif)."),
        }

    def __init__(self, *args: Any, framework: Framework, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.fields["kind"].choices = Campaign.Kind.choices  # no empty radio button
        self.fields["name"].max_length = NAME_MAX_LENGTH
        self.fields["purpose"].max_length = PURPOSE_MAX_LENGTH
        self.fields["areas"].choices = [
            (area.code, f"{area.number}. {area.title}")
            for area in Area.objects.filter(framework=framework).order_by("number")
        ]
        if not self.is_bound and not self.instance.pk:
            self.initial.setdefault("kind", Campaign.Kind.ASSESSMENT)
            self.initial.setdefault(
                "areas", [code for code, _label in self.fields["areas"].choices]
            )
        populations = Population.objects.order_by("title_fr")
        self.fields["target_population"].queryset = populations
        self.fields["target_population"].empty_label = _("Le public de chaque apprenant")
        self.fields["populations"].queryset = populations

    def clean_areas(self) -> list[str]:
        order = [code for code, _label in self.fields["areas"].choices]
        return [code for code in order if code in self.cleaned_data["areas"]]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_on"), data.get("closes_on")
        if opens and closes:
            if closes < opens:
                self.add_error("closes_on", _("La clôture doit suivre l'ouverture."))
            elif (closes - opens).days > MAX_DURATION_DAYS:
                self.add_error("closes_on", _("Une campagne dure au plus deux ans."))
            elif not self.instance.pk and closes < timezone.localdate():
                self.add_error("closes_on", _("La date de clôture est déjà passée."))
        return data

    def campaign_fields(self) -> dict[str, Any]:
        """The cleaned values for services.create_campaign / update_campaign."""
        data = self.cleaned_data
        fields = {name: data[name] for name in self.Meta.fields if name != "populations"}
        fields["framework"] = self.instance.framework if self.instance.pk else self.framework
        return fields


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code de la campagne"),
        max_length=20,
        help_text=_("9 caractères, donnés par votre organisme (par exemple ABC-DEF-GHJ)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class JoinForm(forms.Form):
    external_id = forms.CharField(max_length=64, required=False)

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["external_id"]
        if campaign.external_id_label:
            field.label = campaign.external_id_label
            field.required = True
        else:
            del self.fields["external_id"]


class ShareForm(forms.Form):
    plan = forms.BooleanField(
        label=_("Partager aussi mon plan de formation (heures prévues et suivies par domaine)"),
        required=False,
    )


class ExpectedImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV des apprenants attendus"),
        help_text=_(
            "Une ligne par apprenant, séparateur virgule ou point-virgule, encodage UTF-8 "
            "(ou Windows-1252) : voir le fichier attendu plus bas."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : vérifier le fichier sans rien enregistrer"),
        required=False,
        initial=True,
    )


class ReminderForm(forms.Form):
    """Who to remind; each choice says how many learners it reaches now."""

    audience = forms.ChoiceField(label=_("Qui relancer ?"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, counts: dict[str, int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.counts = counts
        self.fields["audience"].choices = [
            (value, f"{label} ({counts.get(value, 0)})")
            for value, label in ReminderBatch.Audience.choices
        ]
