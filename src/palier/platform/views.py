"""The home page: what Palier is, with the current framework's areas."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from palier.frameworks.queries import current_framework


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform/home.html", {"framework": current_framework()})
