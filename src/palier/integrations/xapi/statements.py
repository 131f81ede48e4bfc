"""Palier's events as xAPI 1.0.3 statements (plain dicts, ready to validate and send).

Every statement names the learner by their pseudonym only (an account on Palier's home page:
never an e-mail or a name), and never carries what the learner typed or chose: a question
answered says which item, whether it was right and how long it took, nothing else. The
framework nodes an event is about are given as their CASE identifiers.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from palier.assessments.results import result_of
from palier.frameworks.case import case_identifier
from palier.integrations.xapi import vocabulary as v

if TYPE_CHECKING:
    from palier.accounts.models import User
    from palier.assessments.models import Attempt, Response
    from palier.certification.models import Certificate
    from palier.frameworks.models import Capacity, Framework
    from palier.training.models import Module, PlanEntry

Json = dict[str, Any]

TEST_NAMES = {
    "positioning": ("Test de positionnement", "Positioning test"),
    "certification": ("Test de certification", "Certification test"),
}


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with milliseconds, as the xAPI specification recommends."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def duration(elapsed: timedelta) -> str:
    """An ISO 8601 duration in seconds, to the hundredth (xAPI keeps 0.01 s precision)."""
    seconds = max(elapsed.total_seconds(), 0.0)
    return f"PT{seconds:.2f}S"


def _names(fr: str, en: str) -> Json:
    return {"fr-FR": fr, "en-US": en or fr}


def actor(user: User) -> Json:
    return {
        "objectType": "Agent",
        "account": {"homePage": v.homepage(), "name": str(user.pseudonym)},
    }


def _activity(iri: str, kind: str, fr: str, en: str) -> Json:
    return {
        "objectType": "Activity",
        "id": iri,
        "definition": {"type": kind, "name": _names(fr, en)},
    }


def _framework_activity(framework: Framework) -> Json:
    return _activity(
        v.case_iri(case_identifier(framework)),
        v.COMPETENCY_TYPE,
        framework.title_fr,
        framework.title_en,
    )


def _node_activity(framework: Framework, code: str) -> Json:
    return _activity(v.case_iri(case_identifier(framework, code)), v.COMPETENCY_TYPE, code, code)


def _test_activity(attempt: Attempt) -> Json:
    fr, en = TEST_NAMES.get(attempt.purpose, TEST_NAMES["positioning"])
    return _activity(v.activity_iri("tests", attempt.purpose), v.ASSESSMENT_TYPE, fr, en)


def _context(
    framework: Framework,
    codes: list[str],
    *,
    registration: uuid.UUID | None = None,
    parent: Json | None = None,
    language: str = "fr",
) -> Json:
    activities: Json = {
        "grouping": [_framework_activity(framework)],
    }
    if codes:
        activities["other"] = [_node_activity(framework, code) for code in codes]
    if parent is not None:
        activities["parent"] = [parent]
    context: Json = {
        "platform": "Palier",
        "language": "fr-FR" if language == "fr" else "en-US",
        "contextActivities": activities,
    }
    if registration is not None:
        context["registration"] = str(registration)
    return context


def _statement(user: User, verb: v.Verb, obj: Json, moment: datetime, **parts: Json | None) -> Json:
    statement = {
        "id": str(uuid.uuid4()),
        "actor": actor(user),
        "verb": verb.as_json(),
        "object": obj,
        "timestamp": timestamp(moment),
    }
    statement.update({key: value for key, value in parts.items() if value is not None})
    return statement


def _capacity_codes(capacity: Capacity | None) -> list[str]:
    """The area, competence and capacity codes of a capacity, broadest first."""
    if capacity is None:
        return []
    competence = capacity.competence
    return [competence.area.code, competence.code, capacity.code]


def test_started(attempt: Attempt) -> Json:
    return _statement(
        attempt.user,
        v.ATTEMPTED,
        _test_activity(attempt),
        attempt.started_at or timezone.now(),
        context=_context(
            attempt.framework,
            list(attempt.areas),
            registration=attempt.id,
            language=attempt.language,
        ),
    )


def question_answered(attempt: Attempt, response: Response) -> Json:
    """Which item, right or not, how long: never the answer itself."""
    item = response.item_version.item
    result: Json = {
        "success": bool(response.correct),
        "duration": duration(response.answered_at - response.shown_at),
    }
    return _statement(
        attempt.user,
        v.ANSWERED,
        _activity(
            v.activity_iri("items", item.code),
            v.QUESTION_TYPE,
            f"Question {item.code}",
            f"Question {item.code}",
        ),
        response.answered_at,
        result=result,
        context={
            **_context(
                attempt.framework,
                _capacity_codes(item.capacity),
                registration=attempt.id,
                parent=_test_activity(attempt),
                language=attempt.language,
            ),
            "extensions": {v.extension_iri("item-version"): response.item_version.number},
        },
    )


def test_completed(attempt: Attempt) -> Json:
    """The levels per area (1-based) are the result, with the CASE identifier of each area."""
    measured = result_of(attempt)
    levels = {
        measure.code: {
            "level": measure.level,
            "case_identifier": case_identifier(attempt.framework, measure.code),
        }
        for measure in (measured.areas if measured else ())
    }
    elapsed = (attempt.finished_at or timezone.now()) - attempt.started_at
    return _statement(
        attempt.user,
        v.COMPLETED,
        _test_activity(attempt),
        attempt.finished_at or timezone.now(),
        result={
            "completion": True,
            "duration": duration(elapsed),
            "extensions": {v.extension_iri("levels"): levels},
        },
        context=_context(
            attempt.framework,
            list(levels),
            registration=attempt.id,
            language=attempt.language,
        ),
    )


def _module_activity(module: Module) -> Json:
    return _activity(
        v.activity_iri("modules", module.code), v.MODULE_TYPE, module.title_fr, module.title_en
    )


def _module_context(module: Module) -> Json | None:
    capacities = list(module.capacities.select_related("competence__area__framework"))
    if not capacities:
        return None
    framework = capacities[0].competence.area.framework
    codes = [
        code
        for capacity in capacities
        if capacity.competence.area.framework_id == framework.pk
        for code in _capacity_codes(capacity)
    ]
    return _context(framework, list(dict.fromkeys(codes)))


def module_added(entry: PlanEntry) -> Json:
    module = entry.module
    return _statement(
        entry.user,
        v.ADDED,
        _module_activity(module),
        entry.added_at or timezone.now(),
        context=_module_context(module),
    )


def module_completed(entry: PlanEntry) -> Json:
    module = entry.module
    return _statement(
        entry.user,
        v.COMPLETED,
        _module_activity(module),
        entry.completed_at or timezone.now(),
        result={"completion": True},
        context=_module_context(module),
    )


def certification_earned(certificate: Certificate) -> Json:
    """The certified level per area is the result; the certificate's code stays in Palier."""
    candidate = certificate.candidate
    framework = candidate.session.framework
    levels = {
        code: {
            "level": values.get("level"),
            "case_identifier": case_identifier(framework, code),
        }
        for code, values in sorted(certificate.levels.items())
    }
    return _statement(
        candidate.user,
        v.EARNED,
        _activity(
            v.activity_iri("certifications", framework.code),
            v.CREDENTIAL_TYPE,
            f"Certification {framework.title_fr}",
            f"Certification {framework.title_en or framework.title_fr}",
        ),
        certificate.issued_at or timezone.now(),
        result={"success": True, "extensions": {v.extension_iri("levels"): levels}},
        context=_context(framework, list(levels), language="fr"),
    )
