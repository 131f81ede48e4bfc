"""The psychometrics part of a user's personal data, registered into accounts' registry of
personal-data providers: the standard-setting studies the user sat on as a panellist (their
bookmarks, round by round), created or adopted, and the calibration runs they requested."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.psychometrics.models import Bookmark, BookmarkStudy, CalibrationRun


def export_psychometrics(user: User) -> dict[str, Any]:
    studies = BookmarkStudy.objects.filter(
        Q(created_by=user) | Q(adopted_by=user) | Q(panellists=user)
    ).distinct()
    bookmarks = Bookmark.objects.filter(panellist=user).select_related("study")
    return {
        "standard_setting_studies": [
            {
                "name": study.name,
                "created_by_me": study.created_by_id == user.pk,
                "adopted_by_me": study.adopted_by_id == user.pk,
                "created_at": isoformat(study.created_at),
                "adopted_at": isoformat(study.adopted_at),
                "adoption_reason": study.adoption_reason if study.adopted_by_id == user.pk else "",
            }
            for study in studies.order_by("created_at")
        ],
        "bookmarks": [
            {
                "study": bookmark.study.name,
                "round": bookmark.round,
                "level": bookmark.level,
                "page": bookmark.page,
                "updated_at": isoformat(bookmark.updated_at),
            }
            for bookmark in bookmarks.order_by("study_id", "round", "level")
        ],
        "calibration_runs_requested": [
            {
                "id": run.pk,
                "scope": run.scope,
                "status": run.status,
                "created_at": isoformat(run.created_at),
            }
            for run in CalibrationRun.objects.filter(requested_by=user).order_by("created_at")
        ],
    }


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "psychometrics",
        export=export_psychometrics,
        models=(
            "psychometrics.BookmarkStudy",
            "psychometrics.Bookmark",
            "psychometrics.CalibrationRun",
        ),
    )
