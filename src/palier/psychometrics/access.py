"""Fetch-and-authorise gates of the calibration pages: psychometricians only.

Everyone else gets 403 (the pages are listed in the psychometrician's menu, so their
existence is no secret); a missing object is a 404 for psychometricians.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from palier.accounts.roles import Role, has_role
from palier.frameworks.models import Framework
from palier.psychometrics.models import CalibrationRun


def require_psychometrician(user: Any) -> None:
    """403 unless the user holds the psychometrician role."""
    if not has_role(user, Role.PSYCHOMETRICIAN):
        raise PermissionDenied


def access_run(user: Any, run_id: int) -> CalibrationRun:
    """A calibration run with what every page of it shows (framework, draft, reference,
    who started it) in one query."""
    require_psychometrician(user)
    run = (
        CalibrationRun.objects.select_related("framework", "draft", "reference", "requested_by")
        .filter(pk=run_id)
        .first()
    )
    if run is None:
        raise Http404
    return run


def access_framework(user: Any, framework_id: int) -> Framework:
    """A framework version whose calibrations a psychometrician manages."""
    require_psychometrician(user)
    framework = Framework.objects.filter(pk=framework_id).first()
    if framework is None:
        raise Http404
    return framework
