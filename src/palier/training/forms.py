from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from palier.accounts.choices import LearnerStatus, Region
from palier.frameworks.models import Area, Competence, Population
from palier.training.funding import DECLARED_ROUTES, FundingRoute
from palier.training.models import IN_PERSON_FORMATS, Module, ModuleSession, PlanEntry
from palier.training.queries import CatalogueFilters


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
    route = forms.ChoiceField(
        label=_("Financement"), required=False, choices=[("", _("Tous")), *FundingRoute.choices]
    )
    language = forms.ChoiceField(
        label=_("Langue"),
        required=False,
        choices=[("", _("Toutes")), ("fr", "Français"), ("en", "English")],
    )
    region = forms.ChoiceField(
        label=_("Région"),
        required=False,
        choices=[("", _("Toutes")), *Region.choices],
        help_text=_("Les formations à distance sont proposées dans toutes les régions."),
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

    @classmethod
    def situation_data(cls, user: object) -> dict[str, str]:
        """The filters of the learner's situation (curriculum, status, region), as GET data;
        empty for an anonymous visitor or a profile that tells none of them."""
        profile = getattr(user, "profile", None) if user.is_authenticated else None
        if profile is None:
            return {}
        values = {
            "population": profile.population.code if profile.population_id else "",
            "status": profile.status,
            "region": profile.region,
        }
        return {name: value for name, value in values.items() if value}

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
    funding_routes = forms.MultipleChoiceField(
        label=_("Financements possibles"),
        required=False,
        choices=[(route.value, route.label) for route in DECLARED_ROUTES],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Un module à 0 € est indiqué comme gratuit. Le CPF ne finance que les formations "
            "qui préparent une certification inscrite au RNCP ou au Répertoire spécifique."
        ),
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
            "funding_routes",
            "dpc_action_number",
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
            self.initial["funding_routes"] = self.instance.funding_routes.split()
        self.fields["dpc_action_number"].help_text = _(
            "Obligatoire si le module est une action DPC : le numéro que l'ANDPC lui a donné."
        )

    def clean_statuses(self) -> str:
        return " ".join(self.cleaned_data["statuses"])

    def clean_funding_routes(self) -> str:
        return " ".join(self.cleaned_data["funding_routes"])

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        is_dpc = FundingRoute.DPC in cleaned.get("funding_routes", "").split()
        number = cleaned.get("dpc_action_number", "")
        if is_dpc and not number and "dpc_action_number" not in self.errors:
            self.add_error(
                "dpc_action_number", _("Indiquez le numéro de l'action DPC enregistrée à l'ANDPC.")
            )
        elif number and not is_dpc:
            self.add_error(
                "dpc_action_number",
                _("Un numéro d'action DPC n'a de sens que si le DPC finance le module."),
            )
        return cleaned


EMPTY_SESSION_FORMS = 2
MAX_SESSIONS = 30
IN_PERSON_HINT = _("Obligatoire pour un module en présentiel, mixte ou en simulation.")


class DateInput(forms.DateInput):
    """A native date picker; the value is sent as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class SessionForm(forms.ModelForm):
    """One dated session of a module; the rules that need the module's format get it from
    the formset (the format is chosen on the same page)."""

    class Meta:
        model = ModuleSession
        fields = ["start", "end", "place", "region"]
        labels = {
            "start": _("Premier jour"),
            "end": _("Dernier jour"),
            "place": _("Ville ou lieu"),
            "region": _("Région"),
        }
        widgets = {"start": DateInput(), "end": DateInput()}

    def __init__(self, *args: object, module_format: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.module_format = module_format
        self.fields["region"].choices = [("", _("Aucune (à distance)")), *Region.choices]
        for name in ("place", "region"):
            self.fields[name].help_text = IN_PERSON_HINT
            if module_format in IN_PERSON_FORMATS:
                self.fields[name].required = True
                self.fields[name].error_messages["required"] = IN_PERSON_HINT

    def clean(self) -> dict[str, object]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("Le dernier jour ne peut pas précéder le premier jour."))
        # Past sessions stay as they were (history); a new or moved session starts today or
        # later.
        if start and "start" in self.changed_data and start < timezone.localdate():
            self.add_error("start", _("Une session ne peut pas commencer dans le passé."))
        return cleaned


class BaseSessionFormSet(forms.BaseInlineFormSet):
    def __init__(self, *args: object, module_format: str = "", **kwargs: object) -> None:
        self.module_format = module_format
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def get_form_kwargs(self, index: int | None) -> dict[str, object]:
        return {**super().get_form_kwargs(index), "module_format": self.module_format}

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Supprimer cette session")


SessionFormSet = forms.inlineformset_factory(
    Module,
    ModuleSession,
    form=SessionForm,
    formset=BaseSessionFormSet,
    extra=EMPTY_SESSION_FORMS,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_SESSIONS,
    validate_max=True,
)
SESSIONS_PREFIX = "sessions"


def module_forms(
    data: dict[str, object] | None, module: Module | None
) -> tuple[ModuleForm, BaseSessionFormSet]:
    """The module form and its sessions formset, bound to `data` on a POST.

    The module form is validated first so that the sessions' rules know the chosen format."""
    form = ModuleForm(data, instance=module)
    if data is not None:
        form.is_valid()
        module_format = form.cleaned_data.get("format", "")
    else:
        module_format = module.format if module else ""
    sessions = SessionFormSet(
        data,
        instance=form.instance,
        prefix=SESSIONS_PREFIX,
        module_format=module_format,
    )
    return form, sessions


def error_summary(form: forms.BaseForm, sessions: BaseSessionFormSet) -> list[tuple[str, str]]:
    """(anchor id, message) for every error on the page, in page order: the module's fields,
    then each session's (sessions marked for deletion are not checked)."""
    summary = [("form-errors", str(error)) for error in form.non_field_errors()]
    summary += [
        (field.id_for_label, f"{field.label} : {error}") for field in form for error in field.errors
    ]
    summary += [("sessions", str(error)) for error in sessions.non_form_errors()]
    for number, session in enumerate(sessions.forms, start=1):
        if getattr(session, "cleaned_data", {}).get("DELETE"):
            continue
        name = _("Session %(number)s") % {"number": number}
        summary += [
            (f"session-{number}", f"{name} : {error}") for error in session.non_field_errors()
        ]
        summary += [
            (field.id_for_label, f"{name}, {field.label} : {error}")
            for field in session
            for error in field.errors
        ]
    return summary
