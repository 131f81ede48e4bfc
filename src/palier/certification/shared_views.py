"""What an organisation sees of certification: the certified results its learners chose to
share with it (any organisation, not only centres; gate: the organisation's staff)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from palier.certification.queries import shared_results
from palier.organisations.access import access_organisation


@require_GET
def shared(request: HttpRequest, slug: str) -> HttpResponse:
    organisation, membership = access_organisation(request.user, slug)
    return render(
        request,
        "certification/staff/shared.html",
        {
            "organisation": organisation,
            "membership": membership,
            "rows": shared_results(organisation),
        },
    )
