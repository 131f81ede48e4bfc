"""The filters of the steering dashboards, from the URL (GET parameters in French like the
rest of the site: annee, public, region, type, etablissement, programme).

Every filter is optional except the academic year, which defaults to the current one. An
unknown value is a form error: the page answers 400 with the message, the API its error
shape. A programme is followed with its own learners, so it cannot be combined with an
institution type or an institution (the summary tables count either scope, not both).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import Region
from palier.frameworks.models import Population
from palier.organisations.choices import OrganisationType
from palier.organisations.models import Organisation
from palier.steering.models import Award
from palier.steering.years import FIRST_YEAR, academic_year, year_label

# How many years after the current one may be asked for (targets run to 2027 and after).
YEARS_AHEAD = 0


@dataclass(frozen=True)
class Filters:
    """The dashboard's scope: an academic year and optional restrictions."""

    year: int
    population: Population | None = None
    region: str = ""
    institution_type: str = ""
    institution: Organisation | None = None
    programme: Award | None = None

    def params(self) -> dict[str, str]:
        """The filters as URL parameters (for links and exports)."""
        values = {
            "annee": str(self.year),
            "public": self.population.code if self.population else "",
            "region": self.region,
            "type": self.institution_type,
            "etablissement": self.institution.slug if self.institution else "",
            "programme": self.programme.code if self.programme else "",
        }
        return {key: value for key, value in values.items() if value}


def current_year() -> int:
    return academic_year(timezone.localdate())


def year_choices() -> list[tuple[str, str]]:
    last = current_year() + YEARS_AHEAD
    return [(str(year), year_label(year)) for year in range(last, FIRST_YEAR - 1, -1)]


class FiltersForm(forms.Form):
    annee = forms.TypedChoiceField(label=_("Année universitaire"), coerce=int, required=False)
    public = forms.ModelChoiceField(
        label=_("Public"),
        queryset=Population.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les publics"),
    )
    region = forms.ChoiceField(label=_("Région"), required=False)
    type = forms.ChoiceField(label=_("Type d'établissement"), required=False)
    etablissement = forms.ModelChoiceField(
        label=_("Établissement"),
        queryset=Organisation.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Tous les établissements"),
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Award.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("Tous les programmes"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["annee"].choices = year_choices()
        self.fields["region"].choices = [("", _("Toutes les régions")), *Region.choices]
        self.fields["type"].choices = [("", _("Tous les types")), *OrganisationType.choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("programme") and (data.get("type") or data.get("etablissement")):
            raise forms.ValidationError(
                _(
                    "Choisissez un programme, ou un type d'établissement et un établissement, "
                    "pas les deux."
                ),
                code="programme_and_institution",
            )
        institution = data.get("etablissement")
        if institution and data.get("type") and institution.type != data["type"]:
            self.add_error("etablissement", _("Cet établissement n'est pas de ce type."))
        if not self.errors:
            # Imported here: the queries read the filters of this module.
            from palier.steering.queries import narrows_to_hidden

            if narrows_to_hidden(self.filters()):
                raise forms.ValidationError(
                    _(
                        "Ce groupe compte trop peu d'apprenants pour être montré seul, ou ses "
                        "chiffres permettraient de retrouver ceux d'un tel groupe : élargissez "
                        "les filtres."
                    ),
                    code="too_small",
                )
        return data

    def filters(self) -> Filters:
        """The valid form's filters (call after is_valid())."""
        data = self.cleaned_data
        return Filters(
            year=data.get("annee") or current_year(),
            population=data.get("public"),
            region=data.get("region") or "",
            institution_type=data.get("type") or "",
            institution=data.get("etablissement"),
            programme=data.get("programme"),
        )


class FilterError(ValueError):
    """Unknown filter values, with the form's messages."""

    def __init__(self, form: FiltersForm) -> None:
        self.form = form
        self.fields = {
            field: [str(message) for message in errors] for field, errors in form.errors.items()
        }
        messages = [message for errors in self.fields.values() for message in errors]
        super().__init__(" ".join(messages))


def parse(query: QueryDict | dict[str, str]) -> Filters:
    """Filters from GET parameters; raises FilterError on an unknown value."""
    form = FiltersForm(query)
    if not form.is_valid():
        raise FilterError(form)
    return form.filters()
