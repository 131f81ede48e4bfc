"""Forms of the denominators and targets pages: an institution's figure and file, a
national total, a target's new version and a new target."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import MAX_YEAR_OF_STUDY
from palier.frameworks.models import Population
from palier.steering.choices import Indicator, TargetKind
from palier.steering.denominator_import import MAX_LEARNERS_PER_CELL, accepted_years
from palier.steering.models import SOURCE_MAX_LENGTH, TITLE_MAX_LENGTH, Target
from palier.steering.years import academic_year, year_label

TARGET_VALUE_MAX = Decimal("10000000")
# Codes a target cannot take: the new-target page's address is /pilotage/cibles/nouvelle/.
RESERVED_CODES = frozenset({"nouvelle"})


class PopulationChoiceField(forms.ModelChoiceField):
    """A population of the framework, in the framework's order, named in the reader's
    language."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            queryset=Population.objects.order_by("position", "code"),
            label=_("Public"),
            empty_label=_("Choisissez un public"),
            **kwargs,
        )


class AcademicYearField(forms.TypedChoiceField):
    """An academic year among those accepted, shown as "2025-2026", newest first."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Année universitaire"))
        kwargs.setdefault("initial", lambda: academic_year(timezone.localdate()))
        super().__init__(coerce=int, choices=self._choices, **kwargs)

    @staticmethod
    def _choices() -> list[tuple[int, str]]:
        return [(year, year_label(year)) for year in reversed(accepted_years())]


class EnrolmentForm(forms.Form):
    population = PopulationChoiceField()
    year_of_study = forms.TypedChoiceField(
        label=_("Année d'études"),
        coerce=int,
        choices=[(year, str(year)) for year in range(1, MAX_YEAR_OF_STUDY + 1)],
    )
    academic_year = AcademicYearField()
    learners = forms.IntegerField(
        label=_("Apprenants inscrits"),
        min_value=0,
        max_value=MAX_LEARNERS_PER_CELL,
        help_text=_(
            "Un nombre entier ; il remplace l'effectif déjà déclaré pour ce public, "
            "cette année d'études et cette année universitaire."
        ),
    )


class DenominatorImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV des effectifs inscrits"),
        help_text=_(
            "Une ligne par public, année d'études et année universitaire, séparateur virgule "
            "ou point-virgule, encodage UTF-8 (ou Windows-1252) : voir le fichier attendu "
            "plus bas."
        ),
    )
    dry_run = forms.BooleanField(
        label=_("Simulation : vérifier le fichier sans rien enregistrer"),
        required=False,
        initial=True,
    )


class ConfirmImportForm(forms.Form):
    # A signed token carrying the checked file (denominator_import.pending_token).
    token = forms.CharField(widget=forms.HiddenInput)


class NationalTotalForm(forms.Form):
    population = PopulationChoiceField()
    academic_year = AcademicYearField()
    learners = forms.IntegerField(label=_("Apprenants"), min_value=0, max_value=10_000_000)
    source = forms.CharField(
        label=_("Source"),
        max_length=SOURCE_MAX_LENGTH,
        help_text=_(
            "La publication d'où vient le chiffre : organisme, titre, tableau (par exemple "
            "une enquête statistique annuelle du ministère)."
        ),
    )
    source_date = forms.DateField(
        label=_("Date de la source"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Date de publication, au format jj/mm/aaaa."),
    )

    def clean_source_date(self) -> Any:
        value = self.cleaned_data["source_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("La date de la source ne peut pas être à venir."))
        return value


class TargetVersionForm(forms.Form):
    """What a new version of a target may change."""

    title_fr = forms.CharField(label=_("Intitulé (français)"), max_length=TITLE_MAX_LENGTH)
    title_en = forms.CharField(
        label=_("Intitulé (anglais)"), max_length=TITLE_MAX_LENGTH, required=False
    )
    value = forms.DecimalField(
        label=_("Valeur"),
        min_value=Decimal("0.1"),
        max_value=TARGET_VALUE_MAX,
        decimal_places=1,
        help_text=_("Un pourcentage pour une part (au plus 100), un nombre d'apprenants sinon."),
    )
    year = forms.IntegerField(
        label=_("Année universitaire visée (première année)"),
        min_value=2000,
        max_value=2100,
        help_text=_("Par exemple 2026 pour l'année universitaire 2026-2027."),
    )
    yearly = forms.BooleanField(label=_("Chaque année à partir de l'année visée"), required=False)
    source = forms.CharField(label=_("Source"), max_length=SOURCE_MAX_LENGTH, widget=forms.Textarea)
    is_active = forms.BooleanField(
        label=_("En vigueur (décochez pour retirer la cible)"), required=False
    )

    @classmethod
    def from_target(cls, target: Target) -> TargetVersionForm:
        initial = {name: getattr(target, name) for name in cls.base_fields}
        # As plain digits ("65", "12.5"): a number box does not read a localised "65,0".
        initial["value"] = f"{target.value.normalize():f}"
        return cls(initial=initial)


class NewTargetForm(TargetVersionForm):
    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Lettres minuscules, chiffres et tirets ; il ne change plus ensuite."),
    )
    indicator = forms.ChoiceField(label=_("Indicateur"), choices=Indicator.choices)
    kind = forms.ChoiceField(label=_("Type de cible"), choices=TargetKind.choices)
    population_kinds = forms.MultipleChoiceField(
        label=_("Catégories de publics"),
        choices=Population.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    field_order = ["code", "title_fr", "title_en", "indicator", "kind", "population_kinds"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"is_active": True})
        super().__init__(*args, **kwargs)

    def clean_code(self) -> str:
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:  # the address of a page under /pilotage/cibles/
            raise forms.ValidationError(_("Ce code est réservé : choisissez-en un autre."))
        return code
