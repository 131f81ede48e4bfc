"""Pages of professionals' feedback: the short opinion after a result, a certification or a
completed module, the framework proposal form, and steering's aggregates and moderation
queue (steering and administrators; funders read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from palier.accounts.roles import Role, has_role, role_required
from palier.frameworks.queries import current_framework
from palier.steering import feedback_queries as queries
from palier.steering import proposal_queries
from palier.steering.choices import FeedbackSubject, ProposalStatus
from palier.steering.feedback_forms import (
    FeedbackFilterForm,
    FeedbackForm,
    LinkForm,
    ModerationForm,
    ProposalFilterForm,
    ProposalForm,
)
from palier.steering.feedback_services import FeedbackError, give_feedback
from palier.steering.privacy import MIN_LEARNERS
from palier.steering.proposal_services import link_proposal, moderate_proposal, submit_proposal

READERS = (Role.STEERING, Role.ADMINISTRATOR, Role.FUNDER)
MODERATORS = (Role.STEERING, Role.ADMINISTRATOR)


@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, subject: str, ref: str) -> HttpResponse:
    """The opinion on one of the user's own subjects (404 otherwise); answering again
    replaces the previous answer."""
    target = queries.access_subject(request.user, subject, ref)
    answer = target.answer
    initial = (
        {
            "usefulness": answer.usefulness,
            "difficulty": answer.difficulty,
            "clarity": answer.clarity,
            "comment": answer.comment,
        }
        if answer
        else None
    )
    form = FeedbackForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                give_feedback(request.user, target.kind, target.ref, **form.cleaned_data)
            except FeedbackError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(request, _("Merci : votre avis est enregistré."))
                return redirect(target.back_url)
    return render(
        request,
        "steering/feedback/form.html",
        {"form": form, "target": target},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    """Propose a change to the framework in force; the user's proposals and their outcome."""
    framework = current_framework()
    form = ProposalForm(request.POST or None, framework=framework)
    status = 200
    if request.method == "POST":
        status = 400
        if framework is not None and form.is_valid():
            try:
                submit_proposal(request.user, **form.cleaned_data)
            except FeedbackError as error:
                form.add_error(None, error.message)
                status = error.status
            else:
                messages.success(
                    request, _("Merci : votre proposition est transmise à l'équipe nationale.")
                )
                return redirect("steering_feedback:propose")
    return render(
        request,
        "steering/feedback/propose.html",
        {
            "form": form,
            "framework": framework,
            "proposals": proposal_queries.proposals_of(request.user),
        },
        status=status,
    )


@role_required(*READERS)
def steering_feedback(request: HttpRequest) -> HttpResponse:
    """Aggregates of the opinions on one subject and its comments, month by month. A
    subject that the summary hides cannot be opened (400, like the dashboard's filters);
    without a choice, the first subject that can be, preferably one with answers."""
    form = FeedbackFilterForm(request.GET)
    summary = queries.summary_by_subject()
    openable = queries.openable_subjects(summary)
    asked = form.cleaned_data.get("objet") if form.is_valid() else None
    if asked and asked not in openable:
        form.add_error("objet", REFUSED_SUBJECT)
    if not form.is_valid():
        return render(
            request, "steering/feedback/steering.html", {"form": form, "invalid": True}, status=400
        )
    answered = [row.key for row in summary.rows if row.key in openable and row.cells[0].value]
    subject = asked or next(iter(answered or openable), None)
    context = {
        "form": form,
        "summary": summary,
        "subjects": [
            (value, label) for value, label in FeedbackSubject.choices if value in openable
        ],
        "threshold": MIN_LEARNERS,
    }
    if subject is not None:
        context.update(_subject_data(subject, form.month()))
    return render(request, "steering/feedback/steering.html", context)


REFUSED_SUBJECT = _lazy(
    "Cet objet compte trop peu d'avis pour être détaillé, ou ses chiffres permettraient de "
    "retrouver ceux d'un tel objet : choisissez un autre objet."
)


def _subject_data(subject: str, wanted: dt.date | None) -> dict[str, Any]:
    """The tables, charts and comments of one subject that may be opened."""
    # Months whose comments may be shown (a month with fewer people is not even listed).
    months = [month for month in queries.comment_months(subject) if month.shown]
    month = next((m for m in months if m.month == wanted), months[0] if months else None)
    distribution = queries.distribution(subject)
    trend = queries.trend(subject)
    trend_bars = [{"label": row.label, "count": row.cells[0].value} for row in trend.rows]
    return {
        "subject": subject,
        "subject_label": FeedbackSubject(subject).label,
        "distribution": distribution,
        "charts": _distribution_charts(distribution),
        "trend": trend,
        "trend_bars": trend_bars,
        "trend_top": max([bar["count"] or 0 for bar in trend_bars] + [1]),
        "tables": [queries.by_population(subject), queries.by_status(subject)],
        "months": months,
        "month": month,
        "comments": queries.comments(subject, month) if month else [],
        "comments_shown": queries.COMMENTS_SHOWN,
    }


def _distribution_charts(table) -> list[dict]:
    """One bar chart per rating: the share of answers at each note (a hidden count draws
    no bar and says so)."""
    charts = []
    for index, label in enumerate(table.columns):
        total = table.total.cells[index].value
        bars = []
        for row in table.rows:
            cell = row.cells[index]
            percent = round(100 * cell.value / total) if cell.value is not None and total else None
            bars.append({"label": row.label, "count": cell.value, "percent": percent})
        charts.append({"key": f"rating-{index}", "label": label, "bars": bars})
    return charts


@role_required(*READERS)
def steering_proposals(request: HttpRequest) -> HttpResponse:
    """The moderation queue: proposals of one status, oldest first."""
    form = ProposalFilterForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "steering/feedback/proposals.html",
            {"form": form, "invalid": True},
            status=400,
        )
    status = form.cleaned_data.get("etat") or ""
    counts = proposal_queries.proposal_counts()
    return render(
        request,
        "steering/feedback/proposals.html",
        {
            "form": form,
            "status": status,
            "tabs": [(value, label, counts[value]) for value, label in ProposalStatus.choices],
            "proposals": proposal_queries.proposal_queue(status or None),
        },
    )


@role_required(*READERS)
@require_http_methods(["GET", "POST"])
def steering_proposal(request: HttpRequest, proposal_id: int) -> HttpResponse:
    """One proposal, without its author; steering answers it and links it to a version."""
    proposal = proposal_queries.access_proposal(proposal_id)
    can_moderate = has_role(request.user, *MODERATORS)
    versions = proposal_queries.framework_versions(proposal)
    moderation = ModerationForm(versions=versions)
    link = LinkForm(versions=versions, initial={"framework": proposal.framework_id})
    status = 200
    if request.method == "POST":
        if not can_moderate:
            raise PermissionDenied
        status = 400
        try:
            if proposal.status == ProposalStatus.SUBMITTED:
                moderation = ModerationForm(request.POST, versions=versions)
                if moderation.is_valid():
                    data = moderation.cleaned_data
                    moderate_proposal(
                        proposal,
                        request.user,
                        accepted=data["decision"] == ProposalStatus.ACCEPTED,
                        note=data["note"],
                        framework=data["framework"],
                    )
                    messages.success(request, _("Réponse enregistrée ; l'auteur la verra."))
                    return redirect("steering_feedback:proposal", proposal.pk)
            else:
                link = LinkForm(request.POST, versions=versions)
                if link.is_valid():
                    link_proposal(proposal, link.cleaned_data["framework"])
                    messages.success(request, _("Version du référentiel enregistrée."))
                    return redirect("steering_feedback:proposal", proposal.pk)
        except FeedbackError as error:
            (moderation if proposal.status == ProposalStatus.SUBMITTED else link).add_error(
                None, error.message
            )
            status = error.status
    proposal_text, rationale = proposal_queries.redacted_texts(proposal)
    return render(
        request,
        "steering/feedback/proposal.html",
        {
            "proposal": proposal,
            "proposal_text": proposal_text,
            "rationale": rationale,
            "can_moderate": can_moderate,
            "moderation": moderation,
            "link": link,
        },
        status=status,
    )
