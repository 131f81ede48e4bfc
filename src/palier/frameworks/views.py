"""Public pages of the framework: versions, areas, competences and capacities, targets."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from palier.frameworks.case import export_case
from palier.frameworks.models import Area
from palier.frameworks.queries import (
    area_in_framework,
    current_framework,
    framework_tree,
    published_frameworks,
    target_profiles,
)


@login_not_required
def framework_index(request: HttpRequest) -> HttpResponse:
    framework = current_framework()
    if framework is None:
        return render(request, "frameworks/empty.html")
    if published_frameworks().count() == 1:
        return redirect("frameworks:detail", framework.code, framework.version)
    return render(request, "frameworks/index.html", {"frameworks": published_frameworks()})


@login_not_required
def framework_detail(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = framework_tree(code, version)
    return render(request, "frameworks/detail.html", {"framework": framework})


@login_not_required
def area_detail(request: HttpRequest, code: str, version: str, area_code: str) -> HttpResponse:
    framework = framework_tree(code, version)
    try:
        area = area_in_framework(framework, area_code)
    except Area.DoesNotExist as error:
        raise Http404 from error
    return render(request, "frameworks/area.html", {"framework": framework, "area": area})


@login_not_required
def targets(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = framework_tree(code, version)
    return render(
        request,
        "frameworks/targets.html",
        {"framework": framework, "rows": target_profiles(framework)},
    )


@login_not_required
def framework_case(request: HttpRequest, code: str, version: str) -> HttpResponse:
    framework = framework_tree(code, version)
    response = HttpResponse(
        json.dumps(export_case(framework), ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{code}-{version}-case.json"'
    return response
