"""The public home page (what Palier is) and the signed-in person's home ("Mon espace")."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from palier.frameworks.queries import current_framework
from palier.platform.queries import TestState, learner_home


@login_not_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "platform/home.html", {"framework": current_framework()})


def my_space(request: HttpRequest) -> HttpResponse:
    """Where everyone lands after signing in: the target profile of their curriculum, one
    main action for the positioning test, then their result, plan and campaigns (and, for
    staff and authors, links to their spaces)."""
    return render(
        request,
        "platform/my_space.html",
        {"home": learner_home(request.user), "TestState": TestState},
    )
