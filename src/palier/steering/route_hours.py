"""The dashboard's table of training hours by learner status and funding route, from
`RouteHoursSummary` (`aggregates.route_hours_rows`); `queries.hours_by_route` is this."""

from __future__ import annotations

import re
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from palier.accounts.choices import LearnerStatus
from palier.steering.filters import Filters
from palier.steering.level_tables import NOT_STATED
from palier.steering.models import RouteHoursSummary
from palier.steering.privacy import hidden_in_line, shown
from palier.steering.summaries import hours_figure, rows
from palier.steering.tables import Row, Table
from palier.training.funding import FundingRoute

# The figures of RouteHoursSummary summed per (status, route).
ROUTE_HOURS_FIELDS = ("planned_learners", "completed_learners", "planned_hours", "completed_hours")
# A route's short name: the acronym its label ends with, "(DPC)", else the label.
ROUTE_ACRONYM = re.compile(r"\(([^)]+)\)$")


def status_labels() -> list[tuple[str, str]]:
    """The statuses in their order, then "not stated" ("")."""
    return [*LearnerStatus.choices, ("", _("Situation non renseignée"))]


def _short(label: str) -> str:
    """A funding route's short name: the acronym its label ends with, else the label."""
    found = ROUTE_ACRONYM.search(str(label))
    return found.group(1) if found else str(label)


def hours_by_route(filters: Filters) -> Table:
    """Training hours planned and completed by status and funding route (a row per pair
    with learners) for the filters' year, scope and profile. Hours follow the learners who
    planned (completed) them; each column is suppressed as a line with the total row, which
    sums the rows and is hidden when no row reaches 10 learners. One query."""
    grouped = (
        rows(RouteHoursSummary, filters)
        .order_by()
        .values("status", "route")
        .annotate(**{field: Sum(field) for field in ROUTE_HOURS_FIELDS})
    )
    sums = {(row["status"], row["route"]): row for row in grouped}
    lines = [
        (
            f"{status or NOT_STATED}-{route}",
            f"{status_label} · {_short(label)}",
            sums[status, route],
        )
        for status, status_label in status_labels()
        for route, label in FundingRoute.choices
        if (status, route) in sums
    ]
    columns = (("planned_hours", "planned_learners"), ("completed_hours", "completed_learners"))
    hidden = [hidden_in_line([line[2][learners] for line in lines]) for _h, learners in columns]
    table_rows = [
        Row(
            key,
            label,
            tuple(
                shown(hours_figure(value[hours]), value[learners], index in hidden[column])
                for column, (hours, learners) in enumerate(columns)
            ),
        )
        for index, (key, label, value) in enumerate(lines)
    ]
    total = tuple(
        shown(
            hours_figure(sum((line[2][hours] for line in lines), Decimal(0))),
            max((line[2][learners] for line in lines), default=0),
        )
        for hours, learners in columns
    )
    return Table(
        code="financements",
        title=_("Heures de formation par situation et par financement"),
        label_header=_("Situation · financement"),
        columns=(_("Heures prévues"), _("Heures suivies")),
        rows=tuple(table_rows),
        total=Row("total", _("Total des lignes"), total),
        notes=(
            _(
                "Un module ouvert à plusieurs financements compte sous chacun de ceux "
                "auxquels l'apprenant a droit : le total des lignes dépasse les heures "
                "réellement suivies."
            ),
            _(
                "Heures prévues : modules ajoutés à un parcours pendant l'année ; heures "
                "suivies : modules terminés pendant l'année."
            ),
        ),
    )
