"""Public information pages: home, accessibility statement, legal notice, personal data."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from palier.frameworks.queries import current_framework


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"framework": current_framework()})


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def legal_notice(request: HttpRequest) -> HttpResponse:
    return render(request, "core/legal_notice.html")


def personal_data(request: HttpRequest) -> HttpResponse:
    return render(request, "core/personal_data.html")
