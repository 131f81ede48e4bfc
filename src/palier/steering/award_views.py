"""Programme (award) pages: the list of the awards a user may see, an award's page with its
reach, levels, hours and certifications for one academic year, its yearly report (PDF,
XLSX), and the page where its managers attach campaigns, modules and sessions.

Every view goes through `award_access.access_award` first (404 for outsiders); writes go
through `award_services`.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from palier.accounts.roles import has_role
from palier.core.errors import ServiceError
from palier.core.http import method_not_allowed
from palier.core.i18n import content_language
from palier.steering import award_queries, award_services
from palier.steering.award_access import (
    CAMPAIGN,
    KINDS,
    MODULE,
    READING_ROLES,
    SESSION,
    access_award,
    visible_awards,
)
from palier.steering.award_forms import AttachForm
from palier.steering.award_queries import session_label
from palier.steering.award_report import XLSX_CONTENT_TYPE, award_facts, report_pdf, report_xlsx
from palier.steering.models import Award
from palier.steering.years import year_label

REPORT_FORMATS = {
    "pdf": (report_pdf, "application/pdf"),
    "xlsx": (report_xlsx, XLSX_CONTENT_TYPE),
}


def award_list(request: HttpRequest) -> HttpResponse:
    """The awards the user may see; 404 for a user who may see none (nothing to reveal)."""
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    awards = list(visible_awards(request.user).order_by("call__opens_on", "title_fr"))
    if not awards and not has_role(request.user, *READING_ROLES):
        raise Http404
    return render(request, "steering/awards/list.html", {"awards": awards})


def award_detail(request: HttpRequest, code: str) -> HttpResponse:
    access = access_award(request.user, code)
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    award = access.award
    year = award_queries.chosen_year(award, request.GET.get("annee"))
    years = award_queries.award_years(award)
    hidden = award_queries.dashboard_hidden(award)
    return render(
        request,
        "steering/awards/detail.html",
        {
            "award": award,
            "can_manage": access.can_manage,
            "facts": award_facts(award),
            "year": year,
            "year_name": year_label(year),
            "years": [(y, year_label(y)) for y in years],
            "by_year": award_queries.reach_by_year(award, hidden),
            "tables": award_queries.year_tables(award, year, hidden),
            "attached": award_queries.attached(award),
        },
    )


def award_report(request: HttpRequest, code: str, year: int, extension: str) -> HttpResponse:
    """The yearly report of one of the award's academic years, as PDF or XLSX."""
    award = access_award(request.user, code).award
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    if year not in award_queries.award_years(award) or extension not in REPORT_FORMATS:
        raise Http404
    build, content_type = REPORT_FORMATS[extension]
    response = HttpResponse(build(award, year, content_language()), content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="palier-rapport-{award.code}-{year_label(year)}.{extension}"'
    )
    return response


def award_links(request: HttpRequest, code: str) -> HttpResponse:
    """What is attached to the award, with a form per kind to attach more (managers)."""
    award = access_award(request.user, code, manage=True).award
    if refused := method_not_allowed(request, "GET", "HEAD"):
        return refused
    return _links_page(request, award, {})


SECTIONS = {
    CAMPAIGN: (_lazy("Campagnes"), _lazy("Aucune campagne rattachée.")),
    MODULE: (_lazy("Modules de formation"), _lazy("Aucun module rattaché.")),
    SESSION: (
        _lazy("Sessions de certification"),
        _lazy("Aucune session rattachée."),
    ),
}


def _links_page(
    request: HttpRequest, award: Award, bound: dict[str, AttachForm], status: int = 200
) -> HttpResponse:
    attached = award_queries.attached(award)
    items = {
        CAMPAIGN: [(c.pk, c.name) for c in attached.campaigns],
        MODULE: [(m.pk, m.title) for m in attached.modules],
        SESSION: [(s.pk, session_label(s)) for s in attached.sessions],
    }
    sections = [
        {
            "kind": kind,
            "title": SECTIONS[kind][0],
            "empty": SECTIONS[kind][1],
            "items": items[kind],
            "form": bound.get(kind) or AttachForm(award, kind),
        }
        for kind in KINDS
    ]
    return render(
        request, "steering/awards/links.html", {"award": award, "sections": sections}, status=status
    )


def award_attach(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    award = access_award(request.user, code, manage=True).award
    if kind not in KINDS:
        raise Http404
    if refused := method_not_allowed(request, "POST"):
        return refused
    form = AttachForm(award, kind, request.POST)
    if form.is_valid():
        try:
            target = award_services.attach(award, kind, form.cleaned_data["objet"].pk)
        except ServiceError as error:
            form.add_error("objet", error.message)
        else:
            messages.success(
                request,
                _("« %(name)s » est rattaché au projet.")
                % {"name": form.fields["objet"].label_from_instance(target)},
            )
            return redirect("awards:links", award.code)
    return _links_page(request, award, {kind: form}, status=400)


def award_detach(request: HttpRequest, code: str, kind: str, object_id: int) -> HttpResponse:
    award = access_award(request.user, code, manage=True).award
    if kind not in KINDS:
        raise Http404
    if refused := method_not_allowed(request, "POST"):
        return refused
    if not award_services.detach(award, kind, object_id):
        raise Http404
    messages.success(request, _("Rattachement retiré."))
    return redirect("awards:links", award.code)
