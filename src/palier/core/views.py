"""Public information pages: accessibility statement, legal notice, personal data; the
favicon at the address browsers ask for when a page names none (JSON, PDF, files)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static

FAVICON = "palier/favicon.svg"


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_not_required
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")


@login_not_required
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/personal_data.html")


@login_not_required
def favicon(request: HttpRequest) -> HttpResponse:
    return HttpResponsePermanentRedirect(static(FAVICON))
