"""Denominator pages. An institution's admins see their enrolled learners by academic year,
declare one figure on a form, or import a file (dry run, then confirmation without choosing
the file again: the checked file travels in a signed token; same steps and wording as the
campaigns' import). Steering enters the national totals per population and year.

Institution pages go through organisations.access (404 outside the organisation, 403 for a
member who is not an admin, whatever the method); steering pages need the steering or
administrator role.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.accounts.roles import Role, role_required
from palier.campaigns.queries import year_label as year_of_study_label
from palier.core.csv import write_csv
from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed, posted
from palier.frameworks.models import Population
from palier.organisations.access import access_organisation
from palier.organisations.models import Organisation
from palier.steering import denominator_services as services
from palier.steering.denominator_import import (
    MAX_ENROLMENT_ROWS,
    MAX_FILE_BYTES,
    PENDING_IMPORT_MINUTES,
    TEMPLATE_HEADER,
    accepted_years,
    data_from_token,
    pending_token,
    plan_import,
    read_limited,
)
from palier.steering.forms_denominators import (
    ConfirmImportForm,
    DenominatorImportForm,
    EnrolmentForm,
    NationalTotalForm,
)
from palier.steering.models import Enrolment, NationalTotal
from palier.steering.years import year_label

# --- reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearTable:
    """An academic year's figures: a row per population, a column per year of study."""

    year: int
    label: str
    years_of_study: list[str]  # the columns' headers ("1re année", "2e année" ...)
    rows: list[tuple[Population, list[int | None], int]]
    column_totals: list[int]
    total: int
    last: Enrolment


def enrolment_tables(organisation: Organisation) -> list[YearTable]:
    """The organisation's figures by academic year, the newest first (one query)."""
    by_year: dict[int, list[Enrolment]] = defaultdict(list)
    enrolments = (
        Enrolment.objects.filter(organisation=organisation)
        .select_related("population", "declared_by")
        .order_by("population__position", "population__code", "year_of_study")
    )
    for enrolment in enrolments:
        by_year[enrolment.academic_year].append(enrolment)
    tables = []
    for year in sorted(by_year, reverse=True):
        figures = by_year[year]
        columns = sorted({enrolment.year_of_study for enrolment in figures})
        cells: dict[Population, dict[int, int]] = {}
        for enrolment in figures:
            cells.setdefault(enrolment.population, {})[enrolment.year_of_study] = enrolment.learners
        rows = [
            (population, [values.get(column) for column in columns], sum(values.values()))
            for population, values in cells.items()
        ]
        column_totals = [
            sum(values.get(column, 0) for values in cells.values()) for column in columns
        ]
        tables.append(
            YearTable(
                year=year,
                label=year_label(year),
                years_of_study=[year_of_study_label(column) for column in columns],
                rows=rows,
                column_totals=column_totals,
                total=sum(column_totals),
                last=max(figures, key=lambda enrolment: enrolment.declared_at),
            )
        )
    return tables


# --- an institution's figures ------------------------------------------------------------


def _admin_gate(request: HttpRequest, slug: str, *methods: str):
    organisation, _membership = access_organisation(request.user, slug, admin_required=True)
    return organisation, method_not_allowed(request, *methods)


def organisation_denominators(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's enrolled learners by academic year, with totals."""
    organisation, refused = _admin_gate(request, slug, "GET", "HEAD")
    if refused:
        return refused
    return render(
        request,
        "steering/denominators/organisation.html",
        {"organisation": organisation, "tables": enrolment_tables(organisation)},
    )


def declare_enrolment(request: HttpRequest, slug: str) -> HttpResponse:
    """One figure on a form; it replaces the figure already given for its cell."""
    organisation, refused = _admin_gate(request, slug, "GET", "HEAD", "POST")
    if refused:
        return refused
    form = EnrolmentForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        cell = services.EnrolmentCell(
            data["population"], data["year_of_study"], data["academic_year"], data["learners"]
        )
        try:
            created, _replaced = services.declare_enrolment(organisation, request.user, cell)
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            message = (
                _("Effectif enregistré.") if created else _("Effectif remplacé par le nouveau.")
            )
            messages.success(request, message)
            return redirect("steering_denominators:organisation", organisation.slug)
    return render(
        request,
        "steering/denominators/declare.html",
        {"organisation": organisation, "form": form},
    )


def _import_page(
    request: HttpRequest, organisation: Organisation, status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("form", DenominatorImportForm())
    years = accepted_years()
    return render(
        request,
        "steering/denominators/import.html",
        {
            "organisation": organisation,
            "populations": Population.objects.order_by("position", "code"),
            "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
            "max_rows": number_format(MAX_ENROLMENT_ROWS, force_grouping=True),
            "pending_minutes": PENDING_IMPORT_MINUTES,
            "first_year": years[0],
            "last_year": years[-1],
            **context,
        },
        status=status,
    )


def _imported(request: HttpRequest, organisation: Organisation, plan) -> HttpResponse:
    messages.success(
        request,
        _("Import enregistré : %(created)s, %(updated)s.")
        % {
            "created": ngettext(
                "%(count)d effectif ajouté", "%(count)d effectifs ajoutés", plan.created
            )
            % {"count": plan.created},
            "updated": ngettext(
                "%(count)d effectif remplacé", "%(count)d effectifs remplacés", plan.updated
            )
            % {"count": plan.updated},
        },
    )
    return redirect("steering_denominators:organisation", organisation.slug)


def _refused(request: HttpRequest, organisation: Organisation, error: ServiceError, status=200):
    # A refused file answers 200, as every form page does with its errors; an expired
    # confirmation answers with the error's status.
    return _import_page(
        request,
        organisation,
        status,
        error_message=error.message,
        errors=error.fields.get("file", []),
    )


def import_enrolments(request: HttpRequest, slug: str) -> HttpResponse:
    """Send a file: a dry run shows what would change; without it, the file is imported."""
    organisation, refused = _admin_gate(request, slug, "GET", "HEAD", "POST")
    if refused:
        return refused
    if request.method != "POST":
        return _import_page(request, organisation)
    form = DenominatorImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, organisation, form=form)
    try:
        data = read_limited(form.cleaned_data["file"])
        if not form.cleaned_data["dry_run"]:
            plan = services.import_enrolments(organisation, request.user, data)
            return _imported(request, organisation, plan)
        plan = plan_import(organisation, data)
    except ServiceError as error:
        return _refused(request, organisation, error)
    token = pending_token(organisation, request.user, data)
    return _import_page(
        request,
        organisation,
        plan=plan,
        confirm_form=ConfirmImportForm(initial={"token": token}),
    )


def import_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    """Import the file checked by the admin's dry run (checked again: all or nothing)."""
    organisation, refused = _admin_gate(request, slug, "POST")
    if refused:
        return refused
    form = ConfirmImportForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(400, "invalid_token", _("Simulation introuvable."))
        data = data_from_token(organisation, request.user, form.cleaned_data["token"])
        plan = services.import_enrolments(organisation, request.user, data)
    except ServiceError as error:
        status = error.status if error.code in {"invalid_token", "import_expired"} else 200
        return _refused(request, organisation, error, status)
    return _imported(request, organisation, plan)


def import_template(request: HttpRequest, slug: str) -> HttpResponse:
    """An empty file to fill in: the French headers, `;` for French spreadsheets."""
    _organisation, refused = _admin_gate(request, slug, "GET", "HEAD")
    if refused:
        return refused
    response = HttpResponse(
        write_csv(TEMPLATE_HEADER, [], delimiter=";"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="effectifs-inscrits.csv"'
    return response


# --- national totals (steering) ----------------------------------------------------------


@role_required(Role.STEERING, Role.ADMINISTRATOR)
def national_totals(request: HttpRequest) -> HttpResponse:
    """The national totals entered, by academic year (newest first) and population."""
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    by_year: dict[int, list[NationalTotal]] = defaultdict(list)
    totals = NationalTotal.objects.select_related("population").order_by(
        "-academic_year", "population__position", "population__code"
    )
    for total in totals:
        by_year[total.academic_year].append(total)
    years = [
        (year_label(year), year, figures, sum(total.learners for total in figures))
        for year, figures in by_year.items()
    ]
    return render(request, "steering/denominators/national.html", {"years": years})


def _initial_total(request: HttpRequest) -> dict[str, Any]:
    """The form's initial values from ?public=<code>&annee=<year>: the figure to replace."""
    population = Population.objects.filter(code=request.GET.get("public", "")).first()
    year = request.GET.get("annee", "")
    if population is None or not (year.isascii() and year.isdigit() and len(year) == 4):
        return {}
    current = NationalTotal.objects.filter(population=population, academic_year=int(year)).first()
    if current is None:
        return {"population": population, "academic_year": int(year)}
    return {
        "population": population,
        "academic_year": current.academic_year,
        "learners": current.learners,
        "source": current.source,
        "source_date": current.source_date,
    }


@role_required(Role.STEERING, Role.ADMINISTRATOR)
def national_total_form(request: HttpRequest) -> HttpResponse:
    """Enter a national total, or replace the one given for the same population and year."""
    if refused := method_not_allowed(request, "GET", "HEAD", "POST"):
        return refused
    form = NationalTotalForm(posted(request), initial=_initial_total(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _total, created = services.save_national_total(
                request.user,
                data["population"],
                data["academic_year"],
                data["learners"],
                data["source"],
                data["source_date"],
            )
        except ServiceError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Effectif national enregistré.") if created else _("Effectif national remplacé."),
            )
            return redirect("steering_denominators:national")
    return render(request, "steering/denominators/national_form.html", {"form": form})
