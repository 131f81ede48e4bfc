"""The national dashboard (/pilotage/) and the download of each of its tables as CSV or XLSX.

Steering, administrators and funders (read-only) read them; other users get 403, visitors
the login page. The figures come from steering.queries (aggregates, suppression applied);
this module reads the filters, names the tables, lays out the headline figures and their
trajectory charts, and places the regions on the map. A filter with an unknown value gets
a 400 with the form's error and no figure.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from palier.accounts.choices import Region
from palier.accounts.roles import Role, role_required
from palier.organisations.choices import OrganisationType
from palier.steering import exports, queries, regions_map
from palier.steering.charts import TrajectoryChart, trajectory_chart
from palier.steering.filters import Filters, FiltersForm
from palier.steering.headline import TargetProgress
from palier.steering.privacy import MIN_LEARNERS, Shown, is_small
from palier.steering.tables import Row, Table
from palier.steering.templatetags.steering_tables import number
from palier.steering.trajectory import BEHIND, ON_TRACK, REACHED, UNKNOWN
from palier.steering.years import year_label

ROLES = (Role.STEERING, Role.ADMINISTRATOR, Role.FUNDER)
# The breakdown tables, in the page's order, with their headings (the code is the table's).
BREAKDOWNS = {
    "population": gettext_lazy("Par public"),
    "region": gettext_lazy("Par région"),
    "institution_type": gettext_lazy("Par type d'établissement"),
    "institution": gettext_lazy("Par établissement"),
    "programme": gettext_lazy("Par programme"),
    "status": gettext_lazy("Par situation (en formation ou en exercice)"),
}
STATUS_WORDS = {
    ON_TRACK: gettext_lazy("en bonne voie"),
    BEHIND: gettext_lazy("en retard"),
    REACHED: gettext_lazy("atteint"),
    UNKNOWN: gettext_lazy("pas encore mesurable"),
}
TRAJECTORY_PREFIX = "trajectoire-"
LEVELS_PREFIX = "niveaux-"
# The breakdown tables by their codes (the codes are the queries', e.g. "regions").
BREAKDOWN_CODES = {code: by for by, (code, _field) in queries.BREAKDOWNS.items()}
GAPS = "ecarts"
PROGRAMMES = "programmes"
HOURS = "financements"


@dataclass(frozen=True)
class Headline:
    """One target as the page shows it: the query's figures and the words around them."""

    progress: TargetProgress
    share: bool
    # The figure of the filters' year: "42,5 %", "masqué", or "—" when there is none.
    figure: str
    target_text: str
    status_word: str
    chart: TrajectoryChart | None
    chart_description: str
    table: Table


def _unit(share: bool, value: object) -> str:
    return f"{number(value)} %" if share else number(value)


def _figure_text(cell: Shown, share: bool) -> str:
    if cell.value is not None:
        return _unit(share, cell.value)
    # A headline figure is hidden only when small; with no learner at all there is none.
    return _("masqué") if is_small(cell.learners) else "—"


def _target_text(progress: TargetProgress, share: bool) -> str:
    values = {"value": _unit(share, progress.value), "year": year_label(progress.year)}
    if share:
        return _("Cible : %(value)s en %(year)s") % values
    if progress.yearly:
        return _("Cible : %(value)s par année universitaire à partir de %(year)s") % values
    return _("Cible : %(value)s en %(year)s") % values


def _projection_text(progress: TargetProgress, share: bool) -> str:
    if progress.projection is None:
        if any(
            year >= progress.year and shown.value is not None for year, shown in progress.trajectory
        ):
            return _("Pas de projection : les chiffres de l'année de la cible sont connus.")
        return _("Pas de projection : il faut au moins deux années de chiffres.")
    year, value = progress.projection
    return _("Projection d'après la tendance : %(value)s en %(year)s") % {
        "value": _unit(share, value),
        "year": year_label(year),
    }


def _trajectory_table(progress: TargetProgress, share: bool) -> Table:
    return Table(
        code=f"{TRAJECTORY_PREFIX}{progress.code}",
        title=_("%(title)s : réalisé par année universitaire") % {"title": progress.title},
        label_header=_("Année universitaire"),
        columns=(_("Réalisé (%)") if share else _("Réalisé (apprenants)"),),
        rows=tuple(
            Row(key=str(year), label=year_label(year), cells=(cell,))
            for year, cell in progress.trajectory
        ),
        notes=(_target_text(progress, share), _projection_text(progress, share)),
    )


def _chart_description(progress: TargetProgress, share: bool) -> str:
    figures = ", ".join(
        f"{year_label(year)} : {_('masqué') if cell.hidden else _unit(share, cell.value)}"
        for year, cell in progress.trajectory
    )
    return _("Réalisé par année universitaire : %(figures)s. %(projection)s. %(target)s.") % {
        "figures": figures or _("aucun chiffre"),
        "projection": _projection_text(progress, share).rstrip("."),
        "target": _target_text(progress, share),
    }


def headlines(filters: Filters) -> list[Headline]:
    items = []
    for progress in queries.headline(filters):
        share = progress.kind == "share"
        items.append(
            Headline(
                progress=progress,
                share=share,
                figure=_figure_text(progress.actual, share),
                target_text=_target_text(progress, share),
                status_word=str(STATUS_WORDS.get(progress.status, progress.status)),
                chart=trajectory_chart(
                    progress.trajectory,
                    (progress.year, progress.value),
                    progress.projection,
                    share=share,
                ),
                chart_description=_chart_description(progress, share),
                table=_trajectory_table(progress, share),
            )
        )
    return items


def breakdown(filters: Filters, by: str) -> Table:
    return queries.breakdown(filters, by)


def programmes(filters: Filters) -> Table:
    return queries.programmes(filters)


def find_table(filters: Filters, code: str) -> Table | None:
    """The page's table called `code`, computed alone (an export runs one query set)."""
    if code in BREAKDOWN_CODES:
        return breakdown(filters, BREAKDOWN_CODES[code])
    if code == GAPS:
        return queries.profile_gaps(filters)
    if code == PROGRAMMES:
        return programmes(filters)
    if code == HOURS:
        return queries.hours_by_route(filters)
    if code.startswith(LEVELS_PREFIX):
        tables = queries.levels(filters)
    elif code.startswith(TRAJECTORY_PREFIX):
        tables = [item.table for item in headlines(filters)]
    else:
        return None
    return next((table for table in tables if table.code == code), None)


def scope_lines(filters: Filters, form: FiltersForm) -> list[str]:
    """The filters in words ("Année universitaire : 2025-2026", ...), for the page and the
    XLSX notes; the year always, the other filters when set."""
    values = {
        "annee": year_label(filters.year),
        "public": filters.population.title if filters.population else "",
        "region": Region(filters.region).label if filters.region else "",
        "type": OrganisationType(filters.institution_type).label
        if filters.institution_type
        else "",
        "etablissement": filters.institution.name if filters.institution else "",
        "programme": filters.programme.title if filters.programme else "",
    }
    return [f"{form.fields[name].label} : {value}" for name, value in values.items() if value]


def _query(form: FiltersForm) -> str:
    """The filters as a query string, for the export links (only the form's own fields)."""
    return urlencode(
        [(name, form.data[name]) for name in form.fields if form.data.get(name) not in (None, "")]
    )


def with_region_links(table: Table, filters: Filters) -> Table:
    """The region table with each region's name linking to the page filtered on it."""
    page = reverse("steering:dashboard")
    regions = set(Region.values)

    def link(row: Row) -> Row:
        if row.key not in regions:
            return row
        return replace(row, url=f"{page}?{urlencode({**filters.params(), 'region': row.key})}")

    return replace(table, rows=tuple(link(row) for row in table.rows))


def _page_data(filters: Filters, form: FiltersForm) -> dict[str, Any]:
    tables = {by: breakdown(filters, by) for by in BREAKDOWNS}
    tables["region"] = with_region_links(tables["region"], filters)
    return {
        "scope": " · ".join(scope_lines(filters, form)),
        "demo": queries.demo_in_scope(filters),
        "refreshed_at": queries.refreshed_at(filters),
        "headline": headlines(filters),
        "region_table": tables["region"],
        "region_map": regions_map.region_map(tables["region"]),
        "breakdowns": [
            {"code": tables[by].code, "heading": heading, "table": tables[by]}
            for by, heading in BREAKDOWNS.items()
        ],
        "levels": queries.levels(filters),
        "gaps": queries.profile_gaps(filters),
        "programmes": programmes(filters),
        "hours": queries.hours_by_route(filters),
    }


@role_required(*ROLES)
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = FiltersForm(request.GET)
    valid = form.is_valid()
    context = {
        "form": form,
        "query": _query(form) if valid else "",
        "min_learners": MIN_LEARNERS,
        "data": _page_data(form.filters(), form) if valid else None,
    }
    return render(request, "steering/dashboard.html", context, status=200 if valid else 400)


@role_required(*ROLES)
@require_GET
def export(request: HttpRequest, code: str, extension: str) -> HttpResponse:
    form = FiltersForm(request.GET)
    if not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        return HttpResponseBadRequest(" ".join(errors), content_type="text/plain; charset=utf-8")
    filters = form.filters()
    table = find_table(filters, code)
    if table is None:
        raise Http404
    filename = f"palier-pilotage-{code}-{filters.year}.{extension}"
    if extension == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(table), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return FileResponse(
        exports.xlsx_file(table, description=scope_lines(filters, form)),
        as_attachment=True,
        filename=filename,
        content_type=exports.XLSX_CONTENT_TYPE,
    )
