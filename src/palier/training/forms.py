from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus, Region
from palier.frameworks.models import Area, Competence, Population
from palier.training.models import Module, PlanEntry
from palier.training.queries import CatalogueFilters

FUNDING = [("", _("Toutes")), ("free", _("Gratuites")), ("cpd", _("Éligibles au DPC"))]


class CatalogueForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    area = forms.ChoiceField(label=_("Domaine"), required=False)
    competence = forms.ChoiceField(label=_("Compétence"), required=False)
    format = forms.ChoiceField(
        label=_("Format"), required=False, choices=[("", _("Tous")), *Module.Format.choices]
    )
    max_hours = forms.DecimalField(
        label=_("Durée maximale (heures)"),
        required=False,
        min_value=Decimal("0.25"),
        max_value=500,
        decimal_places=2,
    )
    funding = forms.ChoiceField(label=_("Financement"), required=False, choices=FUNDING)
    language = forms.ChoiceField(
        label=_("Langue"),
        required=False,
        choices=[("", _("Toutes")), ("fr", "Français"), ("en", "English")],
    )
    region = forms.ChoiceField(
        label=_("Région (sessions en présentiel)"),
        required=False,
        choices=[("", _("Toutes")), *Region.choices],
    )
    population = forms.ChoiceField(label=_("Public"), required=False)
    status = forms.ChoiceField(
        label=_("Situation"), required=False, choices=[("", _("Toutes")), *LearnerStatus.choices]
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["area"].choices = [("", _("Tous"))] + [
            (a.code, f"{a.number}. {a.title}")
            for a in Area.objects.filter(framework__status="published").order_by("number")
        ]
        self.fields["competence"].choices = [("", _("Toutes"))] + [
            (c.code, f"{c.code} {c.title}")
            for c in Competence.objects.filter(area__framework__status="published").order_by("code")
        ]
        self.fields["population"].choices = [("", _("Tous"))] + [
            (p.code, p.title) for p in Population.objects.all()
        ]

    def filters(self) -> CatalogueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return CatalogueFilters(
            **{
                name: data.get(name) or ("" if name != "max_hours" else None)
                for name in CatalogueFilters.__dataclass_fields__
            }
        )


class ProgressForm(forms.Form):
    progress = forms.ChoiceField(choices=PlanEntry.Progress.choices)


class ModuleForm(forms.ModelForm):
    """A provider's module; saved as "submitted" for moderation."""

    enrol_url = forms.URLField(label=_("Lien d'inscription"), assume_scheme="https", max_length=200)
    statuses = forms.MultipleChoiceField(
        label=_("Situations visées (aucune : toutes)"),
        required=False,
        choices=LearnerStatus.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Module
        fields = [
            "title_fr",
            "title_en",
            "summary_fr",
            "summary_en",
            "format",
            "hours",
            "language",
            "price_cents",
            "cpd_eligible",
            "populations",
            "statuses",
            "capacities",
            "target_level",
            "enrol_url",
        ]
        widgets = {
            "summary_fr": forms.Textarea(attrs={"rows": 4}),
            "summary_en": forms.Textarea(attrs={"rows": 4}),
            "populations": forms.CheckboxSelectMultiple,
            "capacities": forms.SelectMultiple(attrs={"size": 12, "class": "field__input"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["capacities"].queryset = (
            self.fields["capacities"]
            .queryset.filter(competence__area__framework__status="published")
            .order_by("code")
        )
        if self.instance.pk:
            self.initial["statuses"] = self.instance.statuses.split()

    def clean_statuses(self) -> str:
        return " ".join(self.cleaned_data["statuses"])
