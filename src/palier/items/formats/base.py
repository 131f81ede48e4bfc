"""What an item format is: the `Format` base class every format module implements, and the
small value types and errors they share.

Pure Python: no Django, no XML library. Form data and QTI documents reach a format through
the narrow protocols below (`FormData`, `QtiWriter`, `QtiReader`), implemented by the
callers (Django's QueryDict, `items/qti/`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol


def gettext_noop(message: str) -> str:
    """Mark a French message for translation without translating it here (the format code
    stays free of Django); `AnswerError` translates it when it is shown."""
    return message


def _translated(message: str) -> str:
    # Imported on use, not at module level, so that validation and scoring never load Django
    # (the seed checks and the import commands run them on plain data).
    try:
        from django.conf import settings
        from django.utils.translation import gettext
    except ImportError:  # pragma: no cover - Django is always installed with Palier
        return message
    # Checks run on plain files (`python -m palier.items.content_check`) have no settings.
    return gettext(message) if settings.configured else message


class DefinitionError(ValueError):
    """An answer definition does not fit its format. `field` names the faulty part
    ("options[2].text"); `msgid` is the French message, with %(name)s placeholders filled
    from `params`; `message` gives it in the active language."""

    def __init__(self, field: str, msgid: str, **params: Any) -> None:
        super().__init__(f"{field}: {msgid % params if params else msgid}")
        self.field = field
        self.msgid = msgid
        self.params = params

    @property
    def message(self) -> str:
        text = _translated(self.msgid)
        return text % self.params if self.params else text


class AnswerError(ValueError):
    """A learner's answer cannot be read. `message` is the French msgid; `str()` gives it in
    the active language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return _translated(self.message)


@dataclass(frozen=True)
class Score:
    """`correct` is what the IRT model sees; `credit` in [0, 1] is partial credit."""

    correct: bool
    credit: float


@dataclass(frozen=True)
class Choice:
    id: str
    text: str


@dataclass(frozen=True)
class LearnerParts:
    """The format-specific part of what a learner is shown: never a key."""

    options: list[Choice] = field(default_factory=list)
    targets: list[Choice] = field(default_factory=list)
    unit: str = ""


class FormData(Protocol):
    """The posted question form (Django's QueryDict fits)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


class QtiWriter(Protocol):
    """Builds one QTI 3 item; a format declares its response and adds its interaction."""

    language: str

    def response(
        self,
        cardinality: str,
        base_type: str,
        values: list[str],
        mapping: list[str] | None = None,
    ) -> None: ...

    def interaction(self, tag: str, attributes: dict[str, str]) -> Any: ...

    def element(self, parent: Any, tag: str, attributes: dict[str, str] | None = None) -> Any: ...

    def choices(
        self, parent: Any, tag: str, options: list[dict[str, Any]], **attributes: str
    ) -> None: ...

    def text_entry(self, unit: str = "") -> None: ...

    def tolerance_processing(self, tolerance: float) -> None: ...


class QtiReader(Protocol):
    """One QTI 3 (or 2.1) item being read; a format recognises its interaction in it."""

    language: str
    values: list[str]
    mapping: list[str]
    base_type: str
    declared_format: str
    metadata: dict[str, str]

    def find(self, v3_tag: str, v21_tag: str | None = None, within: Any = None) -> list[Any]: ...

    def attribute(self, element: Any, v3_name: str, v21_name: str | None = None) -> str: ...

    def classes(self, element: Any) -> list[str]: ...

    def options(
        self, parent: Any, v3_tag: str, v21_tag: str | None = None
    ) -> list[dict[str, Any]]: ...

    def tail_text(self, element: Any) -> str: ...

    def error(self, message: str) -> Exception: ...


class Format(ABC):
    """One item format: its answer definition, how answers are read and scored, how it is
    shown, and how it maps onto QTI. One subclass per module of this package."""

    name: ClassVar[str]
    # The widget named in the learner view (API) and the template that draws it.
    widget: ClassVar[str]
    template: ClassVar[str]

    @abstractmethod
    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        """Raise DefinitionError when `definition` (a mapping) does not fit the format."""

    @abstractmethod
    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        """A raw answer (API JSON, never None) in the scorer's shape; AnswerError if not."""

    @abstractmethod
    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        """The raw answer from the question form's fields (see the widget template)."""

    @abstractmethod
    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        """Score a normalised response (never None)."""

    @abstractmethod
    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        """Options, targets and unit as one attempt shows them (shuffled with `seed`)."""

    @abstractmethod
    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        """The right answer as the result review shows it (option ids or a text)."""

    @abstractmethod
    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        """Declare the response and add the interaction of a QTI 3 item."""

    @abstractmethod
    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        """The definition read from a QTI item, or None when the item is not this format."""

    def keys_and_distractors(
        self, definition: Mapping[str, Any]
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]] | None:
        """For formats where the learner picks keyed options among distractors: the keyed
        options and the others (the content check measures cues on them); None otherwise."""
        return None

    def typed_answers(self, definition: Mapping[str, Any], language: str) -> list[str]:
        """For formats where the learner types the answer: the accepted answers."""
        return []

    def matched_pairs(
        self, definition: Mapping[str, Any]
    ) -> list[tuple[Mapping[str, Any], Mapping[str, Any]]]:
        """For formats that match elements: each element with its match (else empty)."""
        return []
