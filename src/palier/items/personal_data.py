"""The item bank's part of a user's personal data, registered into accounts' registry of
personal-data providers: the problems the user reported on questions (any learner), and
for authors and psychometricians the authoring trail that names them (items, versions,
cases, images, level reviews, comments, calibration activations).

Content is referred to by code and version, not copied: the export covers what is stored
about the person, not the item bank. On erasure these rows keep their content and lose the
link to the person with the account (the account itself is anonymised)."""

from __future__ import annotations

from typing import Any

from palier.accounts import personal_data
from palier.accounts.models import User
from palier.accounts.personal_data import isoformat
from palier.items.models import (
    CalibrationActivation,
    Item,
    ItemVersion,
    LevelReview,
    Media,
    ProblemReport,
    ReviewComment,
    StimulusVersion,
)


def _version(version: ItemVersion) -> str:
    return f"{version.item.code} v{version.number}"


def export_items(user: User) -> dict[str, Any]:
    """What the item bank stores about the user, one list per kind of row."""
    reports = ProblemReport.objects.filter(reporter=user).select_related("item_version__item")
    comments = ReviewComment.objects.filter(author=user).select_related("version__item")
    reviews = LevelReview.objects.filter(reviewer=user).select_related("version__item")
    versions = ItemVersion.objects.filter(created_by=user).select_related("item")
    stimuli = StimulusVersion.objects.filter(created_by=user).select_related("stimulus")
    return {
        "problem_reports": [
            {
                "question": _version(report.item_version),
                "category": report.category,
                "comment": report.comment,
                "status": report.status,
                "created_at": isoformat(report.created_at),
                "handled_at": isoformat(report.handled_at),
            }
            for report in reports.order_by("created_at")
        ],
        "items_authored": [
            {"code": item.code, "status": item.status, "created_at": isoformat(item.created_at)}
            for item in Item.objects.filter(author=user).order_by("code")
        ],
        "item_versions_created": [
            {"version": _version(version), "created_at": isoformat(version.created_at)}
            for version in versions.order_by("created_at")
        ],
        "stimulus_versions_created": [
            {
                "stimulus": f"{stimulus.stimulus.code} v{stimulus.number}",
                "created_at": isoformat(stimulus.created_at),
            }
            for stimulus in stimuli.order_by("created_at")
        ],
        "media_uploaded": [
            {"file": media.file.name, "created_at": isoformat(media.created_at)}
            for media in Media.objects.filter(uploaded_by=user).order_by("created_at")
        ],
        "level_reviews": [
            {
                "version": _version(review.version),
                "reviewed_by": review.reviewed_by,
                "reviewed_on": isoformat(review.reviewed_on),
                "created_at": isoformat(review.created_at),
            }
            for review in reviews.order_by("created_at")
        ],
        "review_comments": [
            {
                "version": _version(comment.version),
                "kind": comment.kind,
                "body": comment.body,
                "created_at": isoformat(comment.created_at),
            }
            for comment in comments.order_by("created_at")
        ],
        "calibration_activations": [
            {
                "calibration": activation.calibration_id,
                "action": activation.action,
                "reason": activation.reason,
                "at": isoformat(activation.at),
            }
            for activation in CalibrationActivation.objects.filter(by=user).order_by("at")
        ],
    }


def register() -> None:
    """Called once by the app's ready()."""
    personal_data.register(
        "items",
        export=export_items,
        models=(
            "items.ProblemReport",
            "items.Item",
            "items.ItemVersion",
            "items.StimulusVersion",
            "items.Media",
            "items.LevelReview",
            "items.ReviewComment",
            "items.CalibrationActivation",
        ),
    )
