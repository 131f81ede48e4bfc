"""Short text: a word or a short phrase typed by the learner.

Definition: {"accepted": {"fr": ["..."], "en": ["..."]}, "max_typos": 0..2}. The author
lists every right answer, including the natural longer forms a careful assessor accepts
("certification HDS" beside "HDS"); an answer merely *containing* a key is never accepted
(that would accept "pas HDS").

Matching rule. The typed answer and every accepted answer are brought to the same canonical
form (`canonical_answer`), then compared:
- case and accents are ignored, typographic apostrophes (U+2019, U+2018, U+02BC) count
  as ', hyphens and dashes as spaces, punctuation and quotes around or between words are
  dropped;
- one leading article is dropped: le, la, les, l', un, une, des, du, de la, d' and the,
  a, an ("la pseudonymisation" -> "pseudonymisation", "l'INS" -> "ins");
- acronyms are joined: dots inside an acronym are dropped ("R.S.S.I." -> "rssi") and a run
  of two or more single letters is one word ("R S S I" -> "rssi"). A single-letter article
  is kept before such a run ("A N S" -> "ans"), so "a R S S I" reads "arssi" (write
  "a RSSI" or "a R.S.S.I.").
The answer is right when, spaces aside ("télé-expertise" is "téléexpertise"), it equals an
accepted answer in that form, or is within `max_typos` edits (Levenshtein) of one that is at
least MIN_LENGTH_FOR_TYPOS characters long.

QTI: qti-text-entry-interaction on a string response; the accepted answers of the package's
language are the correct response and every accepted answer is a case-insensitive map entry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from palier.items.formats.base import (
    DefinitionError,
    Format,
    FormData,
    LearnerParts,
    QtiReader,
    QtiWriter,
    Score,
    gettext_noop,
)
from palier.items.formats.common import LANGUAGES, edit_distance, full, normalise, typed_answer

MAX_TYPOS = 2
DEFAULT_TYPOS = 1
# A short answer shorter than this must be typed exactly (after normalisation): one typo in
# a four-letter word is another word.
MIN_LENGTH_FOR_TYPOS = 5

TYPOGRAPHIC_APOSTROPHES = "\u2019\u2018\u02bc\u2032\u00b4`"
DASHES = "-_\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
ARTICLES = frozenset({"le", "la", "les", "l", "un", "une", "des", "du", "d", "the", "a", "an"})
TWO_WORD_ARTICLES = (("de", "la"),)
ELIDED_ARTICLE = re.compile(r"^(?:de\s+)?[ld]'\s*")
DOTTED_ACRONYM = re.compile(r"^(?:[^\W_]\.)+[^\W_]?$")
NOT_A_WORD = re.compile(r"[\W_]+")
SURROUNDING_PUNCTUATION = re.compile(r"^[\W_]+|[\W_]+$")
# "n°" is how French abbreviates "numéro" ("n° RPPS" = "numéro RPPS").
NUMBER_SIGN = re.compile(r"\bn\s*°\s*")


def canonical_answer(text: str) -> str:
    """The form in which a typed answer and an accepted answer are compared (see the module
    docstring): "  L'I.N.S. " -> "ins", "la certification H.D.S." -> "certification hds"."""
    decomposed = unicodedata.normalize("NFKD", text)
    folded = "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()
    for apostrophe in TYPOGRAPHIC_APOSTROPHES:
        folded = folded.replace(apostrophe, "'")
    for dash in DASHES:
        folded = folded.replace(dash, " ")
    folded = NUMBER_SIGN.sub("numero ", folded)
    folded = ELIDED_ARTICLE.sub("", SURROUNDING_PUNCTUATION.sub("", folded))
    words: list[str] = []
    for token in folded.split():
        if DOTTED_ACRONYM.match(token):
            words.append(token.replace(".", ""))
        else:
            words.extend(NOT_A_WORD.sub(" ", token).split())
    return " ".join(_join_letters(_without_article(words)))


def _without_article(words: list[str]) -> list[str]:
    for pair in TWO_WORD_ARTICLES:
        if len(words) > len(pair) and tuple(words[: len(pair)]) == pair:
            return words[len(pair) :]
    # "a n s" is the acronym ANS spelt out, not the article "a" before "n s".
    spelt_out = len(words) > 1 and len(words[0]) == 1 and len(words[1]) == 1
    if len(words) > 1 and words[0] in ARTICLES and not spelt_out:
        return words[1:]
    return words


def _join_letters(words: list[str]) -> list[str]:
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if run:
            joined.append("".join(run))
            run = []
        if word:
            joined.append(word)
    return joined


def _compact(text: str) -> str:
    # Compound words are written solid, hyphenated or spaced ("MS Santé", "télé-expertise").
    return canonical_answer(text).replace(" ", "")


class ShortText(Format):
    name = "short_text"
    widget = "text"
    template = "items/widgets/text.html"

    def typed_answers(self, definition: Mapping[str, Any], language: str) -> list[str]:
        return list(definition["accepted"].get(language, []))

    def validate_definition(self, definition: Mapping[str, Any]) -> None:
        accepted = definition.get("accepted")
        if not isinstance(accepted, Mapping) or not accepted.get("fr"):
            raise DefinitionError(
                "accepted", gettext_noop("Donnez au moins une réponse acceptée en français.")
            )
        for language, answers in accepted.items():
            if language not in LANGUAGES or not isinstance(answers, list):
                raise DefinitionError(
                    "accepted",
                    gettext_noop("Les réponses acceptées sont des listes par langue (fr, en)."),
                )
            if not all(
                isinstance(answer, str) and normalise(answer) and canonical_answer(answer)
                for answer in answers
            ):
                raise DefinitionError(
                    f"accepted.{language}",
                    gettext_noop("Une réponse acceptée ne peut pas être vide."),
                )
        typos = definition.get("max_typos", DEFAULT_TYPOS)
        if not isinstance(typos, int) or isinstance(typos, bool) or not 0 <= typos <= MAX_TYPOS:
            raise DefinitionError(
                "max_typos", gettext_noop("Un nombre entier de 0 à %(max)s."), max=MAX_TYPOS
            )

    def normalise_answer(self, definition: Mapping[str, Any], raw: Any) -> Any:
        return typed_answer(raw)

    def answer_from_form(self, definition: Mapping[str, Any], data: FormData) -> Any:
        return data.get("answer", "")

    def score(self, definition: Mapping[str, Any], response: Any) -> Score:
        typed = _compact(response) if isinstance(response, str) else ""
        if not typed:
            return full(False)
        allowed = definition.get("max_typos", DEFAULT_TYPOS)
        for answers in definition["accepted"].values():
            for answer in answers:
                expected = _compact(answer)
                limit = allowed if len(expected) >= MIN_LENGTH_FOR_TYPOS else 0
                if edit_distance(typed, expected, limit) <= limit:
                    return full(True)
        return full(False)

    def learner_parts(
        self, definition: Mapping[str, Any], seed: int, language: str
    ) -> LearnerParts:
        return LearnerParts()

    def expected_answer(self, definition: Mapping[str, Any], language: str) -> Any:
        accepted = definition["accepted"]
        return (accepted.get(language) or accepted["fr"])[0]

    def qti_export(self, definition: Mapping[str, Any], writer: QtiWriter) -> None:
        accepted = definition["accepted"]
        writer.response(
            "single",
            "string",
            list(accepted.get(writer.language) or accepted["fr"]),
            mapping=[*accepted.get("fr", []), *accepted.get("en", [])],
        )
        writer.text_entry()

    def qti_import(self, reader: QtiReader) -> dict[str, Any] | None:
        entries = reader.find("qti-text-entry-interaction", "textEntryInteraction")
        if not entries or reader.base_type == "float":
            return None
        accepted = {reader.language: reader.values}
        others = [answer for answer in reader.mapping if answer not in reader.values]
        if others:
            accepted["en" if reader.language == "fr" else "fr"] = others
        return {
            "accepted": accepted,
            "max_typos": int(reader.metadata.get("max-typos", DEFAULT_TYPOS)),
        }


FORMAT = ShortText()
