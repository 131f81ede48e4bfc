"""Public information pages: accessibility statement, legal notice, personal data."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_not_required
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_not_required
def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")


@login_not_required
def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/personal_data.html")
