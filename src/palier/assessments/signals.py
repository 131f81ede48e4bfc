"""Extension points other apps plug into, so the test does not depend on them.

- `attempt_started`: sent inside the transaction that starts an attempt, with `attempt`.
- `answer_recorded`: sent inside the transaction that stores an answer, with `attempt` and
  `response` (a replayed answer is not sent again).
- `attempt_finished`: sent inside the transaction that finishes an attempt, with `attempt`.
- Result sections: an app above assessments adds a section to the learner's result page
  (training adds the learning plan) with `add_result_section` in its `AppConfig.ready`; the
  result page renders `result_sections(request, attempt)` after its own content, in the
  order of registration (the order of INSTALLED_APPS). See docs/adr/0013.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.dispatch import Signal
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from django.http import HttpRequest

    from palier.assessments.models import Attempt

attempt_started = Signal()
answer_recorded = Signal()
attempt_finished = Signal()

SectionContext = Callable[["HttpRequest", "Attempt"], dict[str, Any]]


@dataclass(frozen=True)
class ResultSection:
    """A template rendered on the result page with the context its function returns."""

    name: str
    template: str
    context: SectionContext


_result_sections: dict[str, ResultSection] = {}


def add_result_section(name: str, template: str, context: SectionContext) -> None:
    """Add (or replace, by `name`: `ready` may run twice) a section of the result page."""
    _result_sections[name] = ResultSection(name, template, context)


def result_sections(request: HttpRequest, attempt: Attempt) -> list[SafeString]:
    """The extra sections of a finished attempt's result page, rendered."""
    return [
        render_to_string(
            section.template, {"attempt": attempt, **section.context(request, attempt)}, request
        )
        for section in _result_sections.values()
    ]
