"""Short-text answers are scored as a careful assessor would: natural forms of an accepted
answer are right (articles, acronym spellings, typographic apostrophes, punctuation), an
answer that merely contains the key is not."""

import re

import pytest

from palier.items.formats import score
from palier.items.formats.short_text import canonical_answer
from palier.items.seed import seed_document

FRENCH_ARTICLES = (
    "le ",
    "la ",
    "les ",
    "l'",
    "l\u2019",
    "un ",
    "une ",
    "des ",
    "du ",
    "de la ",
    "d'",
)
ENGLISH_ARTICLES = ("the ", "a ", "an ")
ARTICLE_WORDS = {"le", "la", "les", "un", "une", "des", "du", "the", "a", "an"}
ACRONYM = re.compile(r"^[A-Z]{2,}$")

SHORT_TEXT_ITEMS = [item for item in seed_document()["items"] if item["format"] == "short_text"]


def natural_variants(answer: str) -> set[str]:
    """How learners type a right answer: case, spaces and punctuation around it, a leading
    article, typographic apostrophes, and acronyms dotted or spaced out."""
    forms = {answer}
    if ACRONYM.match(answer):
        dotted = ".".join(answer) + "."
        forms |= {dotted, dotted[:-1], " ".join(answer)}
    variants = set()
    for form in forms:
        variants |= {form, form.upper(), form.lower(), f"  {form}  ", f"{form}.", f"{form} !"}
        variants |= {f"« {form} »", f'"{form}"', form.replace("'", "\u2019")}
        variants.add(form.replace("'", "\u02bc"))
        starts_with_article = form.split()[0].casefold() in ARTICLE_WORDS
        spelt_out = " " in form and all(len(part) == 1 for part in form.split())
        if not starts_with_article:
            for article in FRENCH_ARTICLES + ENGLISH_ARTICLES:
                # "a R S S I" is ambiguous (read as ARSSI): spelt-out acronyms are tried
                # with the other articles only.
                if not (spelt_out and article == "a "):
                    variants |= {article + form, (article + form).capitalize()}
    return variants


@pytest.mark.parametrize("item", SHORT_TEXT_ITEMS, ids=lambda item: item["code"])
def test_natural_variants_of_every_accepted_seed_answer_are_right(item):
    definition = item["definition"]
    wrong = [
        variant
        for answers in definition["accepted"].values()
        for answer in answers
        for variant in sorted(natural_variants(answer))
        if not score("short_text", definition, variant).correct
    ]
    assert wrong == []


@pytest.mark.parametrize("item", SHORT_TEXT_ITEMS, ids=lambda item: item["code"])
def test_negated_empty_or_other_answers_to_seed_items_are_wrong(item):
    definition = item["definition"]
    own = {
        canonical_answer(answer)
        for answers in definition["accepted"].values()
        for answer in answers
    }
    others = {
        other["definition"]["accepted"]["fr"][0]
        for other in SHORT_TEXT_ITEMS
        if not own & {canonical_answer(answer) for answer in other["definition"]["accepted"]["fr"]}
    }
    negated = {
        f"{prefix}{answer}"
        for answers in definition["accepted"].values()
        for answer in answers
        # ("non X" is left out: "non" is one typo away from "Mon" in "Mon espace santé".)
        for prefix in ("pas ", "pas de ", "not ")
    }
    accepted = [
        typed
        for typed in sorted(others | negated | {"", "   ", "?", "le", "l'", "the"})
        if score("short_text", definition, typed).correct
    ]
    assert accepted == []


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("le RSSI", "RSSI"),
        ("R.S.S.I.", "RSSI"),
        ("r s s i", "RSSI"),
        ("la pseudonymisation", "pseudonymisation"),
        ("l'INS", "INS"),
        ("L\u2019I.N.S.", "INS"),
        ("d\u2019INS", "INS"),
        ("la certification HDS", "certification HDS"),
        ("la certification H.D.S.", "certification HDS"),
        ("de la télé\u2011expertise", "téléexpertise"),
        ("« MSSanté »", "MSSanté"),
        ("the CISO", "CISO"),
        ("A N S", "ANS"),
        ("an INS", "INS"),
    ],
)
def test_natural_forms_match_the_key(typed, key):
    assert score("short_text", {"accepted": {"fr": [key]}, "max_typos": 0}, typed).correct


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("pas HDS", "HDS"),
        ("la certification HDS", "HDS"),
        ("HDS non", "HDS"),
        ("lins", "INS"),
        ("les", "le"),
        ("DMP", "INS"),
    ],
)
def test_answers_that_only_contain_the_key_are_wrong(typed, key):
    assert not score("short_text", {"accepted": {"fr": [key]}, "max_typos": 1}, typed).correct


def test_the_canonical_form_drops_one_article_and_joins_acronyms():
    assert canonical_answer("  L\u2019I.N.S. ") == "ins"
    assert canonical_answer("la certification H.D.S.") == "certification hds"
    assert canonical_answer("de la R S S I") == "rssi"
    assert canonical_answer("le le RSSI") == "le rssi"
    assert canonical_answer("Mon espace santé") == "mon espace sante"
    assert canonical_answer("PGSSI-S") == canonical_answer("P.G.S.S.I.-S.") == "pgssi s"


def test_the_number_sign_reads_as_numero():
    assert canonical_answer("n° RPPS") == canonical_answer("numéro RPPS") == "numero rpps"
    assert canonical_answer("a n° RPPS") == canonical_answer("N°RPPS") == "numero rpps"
    assert canonical_answer("n s") == "ns"  # single letters are still an acronym spelt out
