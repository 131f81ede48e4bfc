"""Reads of certification for pages, documents and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from palier.accounts.models import User
from palier.certification.jury import latest_decision
from palier.certification.models import Candidate, JuryDecision
from palier.frameworks.models import Area, Level


@dataclass(frozen=True)
class CertifiedArea:
    """One area of a decision or certificate, for people: the area, the certified level
    (None: no level certified) with its label, and P(level >= it)."""

    area: Area
    level: int | None
    label: str
    probability: float | None


def certified_areas(framework_id: int, levels: dict[str, dict]) -> list[CertifiedArea]:
    """The areas of `framework_id` in order, with what `levels` (a decision's or a
    certificate's) certifies in each (two queries)."""
    areas = list(Area.objects.filter(framework_id=framework_id).order_by("number"))
    labels = {
        (level.area_id, level.rank): level.label
        for level in Level.objects.filter(area__framework_id=framework_id)
    }
    rows = []
    for area in areas:
        found = levels.get(area.code) or {}
        level = found.get("level")
        rows.append(
            CertifiedArea(
                area=area,
                level=level,
                label=labels.get((area.pk, level), "") if level is not None else "",
                probability=found.get("probability"),
            )
        )
    return rows


def candidacies_of(user: User) -> QuerySet[Candidate]:
    """The user's candidacies, the latest sessions first."""
    return (
        Candidate.objects.filter(user=user)
        .select_related("session__centre__organisation", "session__framework")
        .order_by("-session__date", "-session__start_time")
    )


def published_decision(candidate: Candidate) -> JuryDecision | None:
    """The decision a candidate sees: the latest one, once published."""
    if candidate.published_at is None:
        return None
    return latest_decision(candidate)
