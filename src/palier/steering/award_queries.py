"""Reads for an award's page and yearly report: its reach against its planned learners, its
learners' levels (shared results only), the training hours of its modules and its
certifications, each as a `tables.Table` whose cells went through `steering/privacy.py`.

An award's learners in an academic year are defined in `award_learners`; the indicators
of `steering/indicators.py` are counted among them: *reached* learners of an award are the
reached learners who are its learners.
Levels come only from the results learners shared with the campaigns' organisation (the
frozen snapshots), never from attempts: an unshared result never counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from palier.campaigns.models import Campaign, Participation, SharedLevel
from palier.certification.models import Session
from palier.frameworks.models import Area, Population
from palier.frameworks.queries import current_framework
from palier.steering import indicators
from palier.steering import queries as dashboard
from palier.steering.award_learners import certified_learners, reached_learners
from palier.steering.filters import Filters
from palier.steering.models import Award, RefreshRun
from palier.steering.privacy import (
    Shown,
    hidden_in_line,
    hidden_in_table,
    is_small,
    mask_total,
    no_figure,
    shown,
    with_totals,
)
from palier.steering.tables import Row, Table
from palier.steering.years import academic_year, year_bounds, year_label
from palier.training.models import Module, PlanEntry

PERCENT = 100
NOT_STATED = "-"


def award_years(award: Award) -> list[int]:
    """The academic years the award runs in, oldest first."""
    return list(range(academic_year(award.starts_on), academic_year(award.ends_on) + 1))


def chosen_year(award: Award, asked: str | None) -> int:
    """The year asked for if the award runs in it, else the current one (within them)."""
    years = award_years(award)
    if asked and asked.isascii() and asked.isdigit() and len(asked) <= 4 and int(asked) in years:
        return int(asked)
    return min(max(academic_year(timezone.localdate()), years[0]), years[-1])


# --- what the national dashboard hides -------------------------------------------------

REACHED, CERTIFIED, HOURS = "reached", "certified", "hours"
# Per academic year, which of the award's figures the dashboard hides.
DashboardHidden = dict[int, frozenset[str]]


def dashboard_hidden(award: Award) -> DashboardHidden:
    """Per academic year, the award's figures that the national dashboard hides on its line
    of the table by programme (small, or the complement of a small one): reached, certified
    learners, trained hours. The award page shows the same figures (its reach total, its
    note of certified learners, its total hours), which would give them, and the cells they
    protect, away: it hides them too. Years never computed for the dashboard hide nothing.
    One query, and a breakdown per computed year."""
    computed = RefreshRun.objects.filter(academic_year__in=award_years(award))
    found: DashboardHidden = {}
    for year in sorted(computed.values_list("academic_year", flat=True)):
        table = dashboard.breakdown(Filters(year=year), "programme")
        row = next((row for row in table.rows if row.key == str(award.pk)), None)
        if row is None:
            continue
        # Columns: [planned,] reached, [% reached,] assessed, certified, hours.
        reached = row.cells[1] if len(row.cells) == len(table.columns) == 6 else row.cells[0]
        figures = {REACHED: reached, CERTIFIED: row.cells[-2], HOURS: row.cells[-1]}
        found[year] = frozenset(name for name, cell in figures.items() if cell.hidden)
    return found


# --- reach against the plan -------------------------------------------------------------


def _rate(reached: Shown, planned: int) -> Shown:
    if not planned:
        return no_figure()
    value = None if reached.hidden else round(PERCENT * reached.value / planned)
    return Shown(value, reached.learners)


def _reach_cells(planned: int, reached: Shown) -> tuple[Shown, ...]:
    return (Shown(planned, 0), reached, _rate(reached, planned))


def _planned(award: Award) -> dict[tuple[int, int], int]:
    return {
        (row.academic_year, row.population_id): row.learners
        for row in award.planned.all().only("academic_year", "population_id", "learners")
    }


def reach_by_year(award: Award, hidden: DashboardHidden | None = None) -> Table:
    """Planned and reached learners in each academic year of the award (no total row: a
    learner reached in two years is one person, not two)."""
    hidden = dashboard_hidden(award) if hidden is None else hidden
    planned = _planned(award)
    rows = []
    for year in award_years(award):
        year_plan = sum(n for (y, _p), n in planned.items() if y == year)
        count = reached_learners(award, year).count()
        reached = shown(count, count, REACHED in hidden.get(year, ()))
        rows.append(Row(str(year), year_label(year), _reach_cells(year_plan, reached)))
    return Table(
        code="award-reach-years",
        title=_("Apprenants touchés et prévus par année universitaire"),
        label_header=_("Année universitaire"),
        columns=(_("Prévus"), _("Touchés"), _("Part des prévus (%)")),
        rows=tuple(rows),
    )


def reach_by_population(award: Award, year: int, hide_reached: bool = False) -> Table:
    """Planned and reached learners per population in `year`, with the total row; a
    reached count is hidden when small, and a second one with it (complementary)."""
    planned = {p: n for (y, p), n in _planned(award).items() if y == year}
    reached = {
        row["profile__population"]: row["count"]
        for row in reached_learners(award, year)
        .values("profile__population")
        .annotate(count=Count("pk"))
        .order_by()
    }
    keys = set(planned) | set(reached)
    # The dashboard's order, so that ties pick the same complementary cell in both.
    populations = Population.objects.filter(pk__in=[k for k in keys if k is not None]).order_by(
        "position", "code"
    )
    ordered: list[tuple[int | None, str]] = [(p.pk, p.title) for p in populations]
    if None in keys:
        ordered.append((None, _("Public non renseigné")))
    counts = [reached.get(key, 0) for key, _label in ordered]
    hidden = set(range(len(counts))) if hide_reached else hidden_in_line(counts)
    rows = tuple(
        Row(
            str(key or NOT_STATED),
            label,
            _reach_cells(planned.get(key, 0), shown(counts[index], counts[index], index in hidden)),
        )
        for index, (key, label) in enumerate(ordered)
    )
    total = sum(counts)
    total_cells = _reach_cells(sum(planned.values()), shown(total, total, hide_reached))
    return Table(
        code="award-reach-populations",
        title=_("Apprenants touchés et prévus par public en %(year)s") % {"year": year_label(year)},
        label_header=_("Public"),
        columns=(_("Prévus"), _("Touchés"), _("Part des prévus (%)")),
        rows=rows,
        total=Row("total", _("Total"), total_cells),
        notes=(_("« — » : aucun apprenant prévu pour ce public."),),
    )


# --- levels from shared results ---------------------------------------------------------


def shared_participations(award: Award, year: int) -> QuerySet[Participation]:
    """Each learner's latest result shared during `year` with one of the award's campaigns
    (one per learner, so a learner in two campaigns counts once)."""
    start, end = year_bounds(year)
    shared = Participation.objects.filter(
        campaign__award_link__award=award,
        status=Participation.Status.SHARED,
        shared_at__date__gte=start,
        shared_at__date__lt=end,
    )
    later = shared.filter(user=OuterRef("user")).filter(
        Q(shared_at__gt=OuterRef("shared_at"))
        | Q(shared_at=OuterRef("shared_at"), pk__gt=OuterRef("pk"))
    )
    return shared.filter(~Exists(later))


def levels_by_area(award: Award, year: int) -> Table:
    """Learners at each level of each area, from the results shared in `year`; each row
    shows its total, so small cells are hidden with a complementary cell per row."""
    counts: dict[str, dict[int, int]] = {}
    for row in (
        SharedLevel.objects.filter(participation__in=shared_participations(award, year))
        .values("area", "level")
        .annotate(count=Count("pk"))
        .order_by()
    ):
        counts.setdefault(row["area"], {})[row["level"]] = row["count"]
    areas = Area.objects.filter(framework=current_framework()).annotate(level_count=Count("levels"))
    areas = {area.code: area for area in areas}
    ranks = [a.level_count for a in areas.values()] + [lv for c in counts.values() for lv in c]
    top = max(ranks, default=1)
    codes = sorted(
        set(areas) | set(counts),
        key=lambda c: (c not in areas, areas[c].number if c in areas else 0, c),
    )
    rows = []
    for code in codes:
        line = [counts.get(code, {}).get(rank, 0) for rank in range(1, top + 1)]
        hidden = hidden_in_line(line)
        total = sum(line)
        label = f"{areas[code].number}. {areas[code].title}" if code in areas else code
        cells = [shown(n, n, index in hidden) for index, n in enumerate(line)]
        rows.append(Row(code, label, (*cells, Shown(mask_total(total), total))))
    return Table(
        code="award-levels",
        title=_("Niveaux des apprenants par domaine en %(year)s (résultats partagés)")
        % {"year": year_label(year)},
        label_header=_("Domaine"),
        columns=(
            *(_("Niveau %(rank)s") % {"rank": rank} for rank in range(1, top + 1)),
            _("Apprenants"),
        ),
        rows=tuple(rows),
        notes=(
            _(
                "Seuls comptent les résultats que les apprenants ont partagés avec les "
                "campagnes du projet ; pour un apprenant, son dernier résultat partagé "
                "dans l'année."
            ),
        ),
    )


# --- training hours and certifications --------------------------------------------------


def hours_by_module(award: Award, year: int, hide_total: bool = False) -> Table:
    """Learners who completed each of the award's modules in `year` and the hours they
    completed (framework-mapped modules, as the *trained hours* indicator). Hours are
    learners times the module's public length: a second equation on hidden learners, so
    the total hours are hidden as soon as a module's figures are."""
    completed = {
        row["module"]: row
        for row in PlanEntry.objects.filter(
            pk__in=indicators.completed_mapped_modules(year).values("pk"),
            module__award_link__award=award,
        )
        .values("module")
        .annotate(learners=Count("user", distinct=True), hours=Sum("module__hours"))
        .order_by()
    }
    modules = Module.objects.filter(award_link__award=award).order_by("title_fr")
    learners = [completed.get(m.pk, {}).get("learners", 0) for m in modules]
    hours = [completed.get(m.pk, {}).get("hours") or Decimal(0) for m in modules]
    hidden = hidden_in_line(learners)
    rows = tuple(
        Row(
            module.code,
            module.title,
            (
                shown(learners[i], learners[i], i in hidden),
                shown(hours[i], learners[i], i in hidden),
            ),
        )
        for i, module in enumerate(modules)
    )
    total_learners = sum(learners)
    total = Row(
        "total",
        _("Total"),
        (
            shown(total_learners, total_learners),
            shown(sum(hours, Decimal(0)), total_learners, bool(hidden) or hide_total),
        ),
    )
    return Table(
        code="award-hours",
        title=_("Heures de formation suivies en %(year)s, par module du projet")
        % {"year": year_label(year)},
        label_header=_("Module"),
        columns=(_("Apprenants l'ayant terminé"), _("Heures suivies")),
        rows=rows,
        total=total,
        notes=(
            _(
                "Le total des heures est masqué quand un module est masqué : avec le total "
                "des apprenants, il permettrait de le retrouver."
            ),
        )
        if hidden
        else (),
    )


# Columns of the certification table as suppressed (not certified is never printed).
CERTIFIED, NOT_CERTIFIED, ENROLLED = range(3)


def certifications_by_session(award: Award, year: int, hide_note: bool = False) -> Table:
    """Candidates and certified candidates of the award's sessions held in `year` (a
    certificate counts unless revoked), suppressed as a two-way table (certified, not
    certified) whose row totals are the enrolled: a difference is a figure too. The note's
    learners certified in any session minus the sessions' certified is one as well: when
    it is 1 to 9, the sessions' total certified is hidden (the note's figure is also the
    programme's line on the national dashboard)."""
    start, end = year_bounds(year)
    sessions = list(
        Session.objects.filter(award_link__award=award, date__gte=start, date__lt=end)
        .select_related("centre__organisation")
        .annotate(
            enrolled=Count("candidates", distinct=True),
            certified=Count(
                "candidates__certificate",
                filter=Q(candidates__certificate__revoked_at__isnull=True),
                distinct=True,
            ),
        )
        .order_by("date", "start_time")
    )
    matrix = with_totals([[s.certified, s.enrolled - s.certified] for s in sessions], 2)
    total_row = len(sessions)
    certified = certified_learners(award, year).count()
    elsewhere = certified - matrix[total_row][CERTIFIED]
    already = frozenset()
    if not hide_note and not is_small(certified) and is_small(abs(elsewhere)):
        already = frozenset({(total_row, CERTIFIED)})
    hidden = hidden_in_table(matrix, already)

    def cells(r: int) -> tuple[Shown, ...]:
        return tuple(
            shown(matrix[r][c], matrix[r][c], (r, c) in hidden) for c in (ENROLLED, CERTIFIED)
        )

    rows = tuple(
        Row(str(session.pk), session_label(session), cells(i)) for i, session in enumerate(sessions)
    )
    return Table(
        code="award-certifications",
        title=_("Certifications en %(year)s, par session du projet") % {"year": year_label(year)},
        label_header=_("Session"),
        columns=(_("Candidats inscrits"), _("Candidats certifiés")),
        rows=rows,
        total=Row("total", _("Total"), cells(total_row)),
        notes=(
            _("Apprenants du projet certifiés dans l'année (toutes sessions) : %(count)s.")
            % {"count": _("masqué") if hide_note else _count_text(certified)},
        ),
    )


def _count_text(count: int) -> str:
    value = mask_total(count)
    return _("masqué") if value is None else str(value)


def session_label(session: Session) -> str:
    return f"{date_format(session.date, 'DATE_FORMAT')} — {session.room}"


# --- what is attached -------------------------------------------------------------------


@dataclass(frozen=True)
class Attached:
    campaigns: list[Campaign]
    modules: list[Module]
    sessions: list[Session]


def attached(award: Award) -> Attached:
    """The campaigns, modules and sessions attached to the award (three queries)."""
    return Attached(
        campaigns=list(Campaign.objects.filter(award_link__award=award).order_by("name")),
        modules=list(Module.objects.filter(award_link__award=award).order_by("title_fr")),
        sessions=list(Session.objects.filter(award_link__award=award).order_by("date")),
    )


def year_tables(award: Award, year: int, hidden: DashboardHidden | None = None) -> list[Table]:
    """The tables of one academic year, in the page's and the report's order."""
    on_dashboard = (dashboard_hidden(award) if hidden is None else hidden).get(year, frozenset())
    return [
        reach_by_population(award, year, REACHED in on_dashboard),
        levels_by_area(award, year),
        hours_by_module(award, year, HOURS in on_dashboard),
        certifications_by_session(award, year, CERTIFIED in on_dashboard),
    ]
