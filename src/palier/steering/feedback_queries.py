"""Reads of professionals' feedback (framework proposals: `proposal_queries`): the gate to a
subject a person may give an opinion on, and what steering sees — aggregates through
`steering/privacy.py` and comments stripped of personal data (`steering/redact.py`), never
a person.

Privacy: a figure is hidden when it comes from 1 to 9 people (distinct authors), and in a
column shown with its total a second figure is hidden too (complementary suppression); a
mean follows the count it comes from. A subject hidden in the summary by subject is never
opened alone (`openable_subjects`), and a column of notes is hidden whole when the mean
rating could solve its hidden counts. Comments are shown by month, only for a month with
at least 10 people answering on that subject, without author, dated by the month, in an
order that looks random and never changes (never by time, which could point at someone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from palier.accounts.choices import LearnerStatus
from palier.accounts.models import User
from palier.assessments.access import access_attempt
from palier.certification.access import access_candidacy
from palier.certification.queries import published_decision
from palier.frameworks.models import Population
from palier.steering.choices import FeedbackSubject
from palier.steering.models import Feedback
from palier.steering.privacy import Shown, hidden_in_line, is_small, mask_total, no_figure, shown
from palier.steering.redact import redact
from palier.steering.tables import Row, Table
from palier.training.access import access_plan_entry
from palier.training.models import PlanEntry

RATINGS = ("usefulness", "difficulty", "clarity")
RATING_VALUES = range(1, 6)
RATING_INDEXES = range(len(RATING_VALUES))
# Months of the trend table, the current one included.
TREND_MONTHS = 12
# The key of the trend's first row: the answers given before its months.
EARLIER = "avant"
# Comments shown for one month at most (the month's others are not listed).
COMMENTS_SHOWN = 200
# A fixed shuffle of the comments: (id x a large odd number) modulo 2^32 (Knuth's
# multiplicative hashing) looks random, is the same on every page load and database, and
# has nothing to do with the time an opinion was given.
SHUFFLE_MULTIPLIER = 2654435761
SHUFFLE_MODULUS = 2**32


def rating_labels() -> dict[str, str]:
    return {"usefulness": _("Utilité"), "difficulty": _("Difficulté"), "clarity": _("Clarté")}


# --- The subject of an opinion --------------------------------------------------------


@dataclass(frozen=True)
class Subject:
    """What an opinion is about, once the gate has checked it is the person's own."""

    kind: str
    ref: str
    title: str
    back_url: str
    answer: Feedback | None


def _day(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def access_subject(user: User, kind: str, ref: str) -> Subject:
    """The user's own finished result, published certification or completed module; 404
    for anything else (another person's, unfinished, unknown), the same answer each time."""
    if kind == FeedbackSubject.RESULT:
        attempt = access_attempt(user, ref)
        if not attempt.is_finished:
            raise Http404
        key = str(attempt.pk)
        title = _("Test de positionnement du %(date)s") % {"date": _day(attempt.finished_at)}
        back = reverse("assessments:result", args=[attempt.pk])
    elif kind == FeedbackSubject.CERTIFICATION:
        candidate = access_candidacy(user, ref)
        if published_decision(candidate) is None:
            raise Http404
        key = str(candidate.pk)
        date = formats.date_format(candidate.session.date, "DATE_FORMAT")
        title = _("Certification du %(date)s") % {"date": date}
        back = reverse("certification:candidacy", args=[candidate.pk])
    elif kind == FeedbackSubject.MODULE:
        if not (ref.isascii() and ref.isdigit() and len(ref) <= 18):
            raise Http404
        entry = access_plan_entry(user, int(ref))
        if entry.module_id is None or entry.progress != PlanEntry.Progress.COMPLETED:
            raise Http404
        key = str(entry.pk)
        title = _("Module « %(title)s »") % {"title": entry.module.title}
        back = reverse("training:plan")
    else:
        raise Http404
    answer = Feedback.objects.filter(user=user, subject=kind, subject_ref=key).first()
    return Subject(kind, key, title, back, answer)


# --- Aggregates for steering ----------------------------------------------------------


def _means(row: dict, hide: bool) -> tuple[Shown, ...]:
    """The mean of each rating; no figure at all (a dash) when nobody answered."""
    if not row["people"]:
        return tuple(no_figure() for _rating in RATINGS)
    return tuple(shown(row[f"mean_{rating}"], row["people"], hide=hide) for rating in RATINGS)


MEAN_AGGREGATES = {f"mean_{rating}": Avg(rating) for rating in RATINGS}
COUNT_AGGREGATES = {"answers": Count("pk"), "people": Count("user", distinct=True)}


def _grouped_table(
    code: str,
    title: str,
    label_header: str,
    groups: Sequence[tuple[str, str, dict | None]],
    total: dict,
) -> Table:
    """Rows (key, label, aggregates) with answers and the three means, and the total row;
    answers hidden in pairs in the column (its total is shown), means with their count."""
    empty = {"answers": 0, "people": 0, **{key: None for key in MEAN_AGGREGATES}}
    values = [row or empty for _key, _label, row in groups]
    already = frozenset(i for i, row in enumerate(values) if is_small(row["people"]))
    hidden = hidden_in_line([row["answers"] for row in values], already)
    rows = []
    for index, ((key, label, _row), row) in enumerate(zip(groups, values, strict=True)):
        hide = index in hidden
        count = Shown(None, row["people"]) if hide else Shown(row["answers"], row["people"])
        rows.append(Row(key, label, (count, *_means(row, hide))))
    total_hidden = mask_total(total["people"]) is None
    total_count = Shown(None if total_hidden else total["answers"], total["people"])
    return Table(
        code=code,
        title=title,
        label_header=label_header,
        columns=(
            _("Avis"),
            *(
                _("%(rating)s (moyenne sur 5)") % {"rating": label}
                for label in rating_labels().values()
            ),
        ),
        rows=tuple(rows),
        total=Row("total", _("Total"), (total_count, *_means(total, total_hidden))),
        notes=(_("Masqué : moins de 10 personnes, ou chiffre qui permettrait de le retrouver."),),
    )


def _of(subject: str) -> QuerySet[Feedback]:
    return Feedback.objects.filter(subject=subject)


def summary_by_subject() -> Table:
    """Answers and mean ratings for each subject."""
    by_subject = {
        row["subject"]: row
        for row in Feedback.objects.values("subject").annotate(
            **COUNT_AGGREGATES, **MEAN_AGGREGATES
        )
    }
    total = Feedback.objects.aggregate(**COUNT_AGGREGATES, **MEAN_AGGREGATES)
    groups = [(value, label, by_subject.get(value)) for value, label in FeedbackSubject.choices]
    return _grouped_table(
        "feedback-subjects", _("Avis reçus par objet"), _("Objet de l'avis"), groups, total
    )


def openable_subjects(summary: Table) -> list[str]:
    """The subjects whose own figures may be shown: those whose line of the summary by
    subject shows every figure. A subject hidden there (fewer than 10 people, or the
    complement of such a subject) would give its figures away through its own totals,
    which are the hidden line of the summary."""
    return [row.key for row in summary.rows if not any(cell.hidden for cell in row.cells)]


def distribution(subject: str) -> Table:
    """How many answers gave each rating from 1 to 5, for each of the three ratings (one
    query). Each column is a line with its total, and the mean rating of the subject is
    shown elsewhere: a column with a small count is hidden whole."""
    aggregates = {}
    for rating in RATINGS:
        for value in RATING_VALUES:
            where = Q(**{rating: value})
            aggregates[f"{rating}_{value}"] = Count("pk", filter=where)
            aggregates[f"{rating}_{value}_people"] = Count("user", distinct=True, filter=where)
    counts = _of(subject).aggregate(**aggregates, **COUNT_AGGREGATES)
    hidden = {}
    for rating in RATINGS:
        line = [counts[f"{rating}_{value}"] for value in RATING_VALUES]
        people = [counts[f"{rating}_{value}_people"] for value in RATING_VALUES]
        already = frozenset(i for i, count in enumerate(people) if is_small(count))
        # The subject's mean rating, shown beside its totals, is a second equation on a
        # column's hidden counts (sum of the notes): a column is shown whole or not at all.
        hidden[rating] = set(RATING_INDEXES) if hidden_in_line(line, already) else set()
    rows = []
    for index, value in enumerate(RATING_VALUES):
        cells = []
        for rating in RATINGS:
            count = counts[f"{rating}_{value}"]
            people = counts[f"{rating}_{value}_people"]
            cells.append(Shown(None if index in hidden[rating] else count, people))
        rows.append(Row(str(value), str(value), tuple(cells)))
    total = mask_total(counts["people"])
    total_cell = Shown(None if total is None else counts["answers"], counts["people"])
    return Table(
        code="feedback-distribution",
        title=_("Répartition des notes de 1 à 5 (nombre d'avis)"),
        label_header=_("Note"),
        columns=tuple(rating_labels().values()),
        rows=tuple(rows),
        total=Row("total", _("Total"), (total_cell,) * len(RATINGS)),
        notes=(_("Masqué : moins de 10 personnes, ou chiffre qui permettrait de le retrouver."),),
    )


def _month_start(today: dt.date, back: int) -> dt.date:
    month_index = today.year * 12 + today.month - 1 - back
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


def month_label(month: dt.date) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _by_month(queryset: QuerySet[Feedback]) -> QuerySet:
    zone = timezone.get_current_timezone()
    return queryset.annotate(month=TruncMonth("created_at", tzinfo=zone)).values("month")


def trend(subject: str, today: dt.date | None = None) -> Table:
    """Answers and mean ratings month by month over the last TREND_MONTHS months, after a
    row of the earlier answers: the total is every answer on the subject, the same as in
    the other tables of the subject, so that the months' hidden figures cannot come back
    from the difference between two totals."""
    today = today or timezone.localdate()
    months = [_month_start(today, back) for back in reversed(range(TREND_MONTHS))]
    first = dt.datetime.combine(months[0], dt.time.min, tzinfo=timezone.get_current_timezone())
    recent = _of(subject).filter(created_at__gte=first)
    by_month = {
        _as_date(row["month"]): row
        for row in _by_month(recent).annotate(**COUNT_AGGREGATES, **MEAN_AGGREGATES)
    }
    earlier = _of(subject).filter(created_at__lt=first)
    groups = [
        (
            EARLIER,
            _("Avant %(month)s") % {"month": month_label(months[0])},
            earlier.aggregate(**COUNT_AGGREGATES, **MEAN_AGGREGATES),
        ),
        *((month.strftime("%Y-%m"), month_label(month), by_month.get(month)) for month in months),
    ]
    return _grouped_table(
        "feedback-trend",
        _("Avis par mois (douze derniers mois)"),
        _("Mois"),
        groups,
        _of(subject).aggregate(**COUNT_AGGREGATES, **MEAN_AGGREGATES),
    )


def _as_date(value: dt.date | dt.datetime) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def by_population(subject: str) -> Table:
    """Answers and mean ratings by the population the person had when answering."""
    rows = {
        row["population_id"]: row
        for row in _of(subject)
        .values("population_id")
        .annotate(**COUNT_AGGREGATES, **MEAN_AGGREGATES)
    }
    populations = Population.objects.filter(pk__in=[key for key in rows if key]).order_by(
        "position", "code"
    )
    groups = [(p.code, p.title, rows.get(p.pk)) for p in populations]
    groups.append(("none", _("Non renseigné"), rows.get(None)))
    return _grouped_table(
        "feedback-population",
        _("Avis par public (formation ou métier)"),
        _("Public"),
        groups,
        _of(subject).aggregate(**COUNT_AGGREGATES, **MEAN_AGGREGATES),
    )


def by_status(subject: str) -> Table:
    """Answers and mean ratings by the status the person had when answering."""
    rows = {
        row["status"]: row
        for row in _of(subject).values("status").annotate(**COUNT_AGGREGATES, **MEAN_AGGREGATES)
    }
    groups = [(value, label, rows.get(value)) for value, label in LearnerStatus.choices]
    groups.append(("none", _("Non renseignée"), rows.get("")))
    return _grouped_table(
        "feedback-status",
        _("Avis par situation"),
        _("Situation"),
        groups,
        _of(subject).aggregate(**COUNT_AGGREGATES, **MEAN_AGGREGATES),
    )


# --- Comments -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentMonth:
    """A month of comments on one subject: shown only with at least 10 people answering."""

    month: dt.date
    label: str
    people: int
    comments: int

    @property
    def shown(self) -> bool:
        return not is_small(self.people) and self.comments > 0


def comment_months(subject: str) -> list[CommentMonth]:
    """Months with comments on `subject`, newest first (one query)."""
    rows = (
        _by_month(_of(subject))
        .annotate(people=Count("user", distinct=True), comments=Count("pk", filter=~Q(comment="")))
        .order_by("-month")
    )
    months = [
        CommentMonth(
            _as_date(row["month"]),
            month_label(_as_date(row["month"])),
            row["people"],
            row["comments"],
        )
        for row in rows
    ]
    return [month for month in months if month.comments]


def comments(subject: str, month: CommentMonth) -> list[str]:
    """The month's comments, stripped of personal data, in the fixed shuffled order; none
    when the month has fewer than 10 people answering."""
    if not month.shown:
        return []
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(month.month, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(_month_start(month.month, -1), dt.time.min, tzinfo=zone)
    rows = (
        _of(subject)
        .filter(created_at__gte=start, created_at__lt=end)
        .exclude(comment="")
        .annotate(shuffle=F("id") * SHUFFLE_MULTIPLIER % SHUFFLE_MODULUS)
        .order_by("shuffle", "id")
        .values_list("comment", "user__first_name", "user__last_name")[:COMMENTS_SHOWN]
    )
    return [redact(comment, (first, last)) for comment, first, last in rows]
