"""Reading one QTI item (3.0, or 2.1/2.2) into a node of the bank document.

A format module (items/formats/) recognises its interaction through the `_Reader` below.
Items written by other tools are read as far as Palier can: the right answer from the
response declaration or, failing that, from the response processing; the stem from the
interaction's prompt and the body's prose; what Palier needs and the item lacks becomes a
reason to review it (the item is imported as a draft). An item Palier cannot show or score
raises `QtiError` with the reason; the package goes on without it."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from lxml import etree

from palier.items.formats import REGISTRY, DefinitionError, validate_definition
from palier.items.html import clean_html
from palier.items.qti.images import PackageImages
from palier.items.qti.xml import QTI, QTI2, XML_LANG, QtiError, local, localname, raw_html

# The interactions the formats read, in QTI 3 and QTI 2 spelling.
SUPPORTED_INTERACTIONS = frozenset(
    {
        "qti-choice-interaction",
        "qti-text-entry-interaction",
        "qti-order-interaction",
        "qti-match-interaction",
        "choiceInteraction",
        "textEntryInteraction",
        "orderInteraction",
        "matchInteraction",
    }
)
PROMPTS = frozenset({"qti-prompt", "prompt"})
ITEM_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-]{2,31}$")
MAX_CODE = 32
MAX_STEM = 2_000
EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
DEFAULT_SECONDS = 60


def palier_code(identifier: str) -> str:
    """A Palier code for a QTI identifier: kept when it is one already, else upper-cased
    with hyphens, and shortened with a stable hash so that importing again finds it."""
    if ITEM_CODE.match(identifier):
        return identifier
    code = re.sub(r"[^A-Z0-9]+", "-", identifier.upper()).strip("-") or "QTI"
    if len(code) < 3:
        code = f"QTI-{code}"
    if len(code) > MAX_CODE:
        digest = hashlib.sha1(identifier.encode()).hexdigest()[:8].upper()  # noqa: S324 - a name, not a secret
        code = f"{code[: MAX_CODE - 9].rstrip('-')}-{digest}"
    return code


def interaction_names(root: etree._Element) -> list[str]:
    return [
        localname(node)
        for node in root.iter()
        if localname(node).endswith(("-interaction", "Interaction"))
    ]


class _Reader:
    """The `QtiReader` a format reads its definition from: one QTI 3 or 2 item (2.x uses
    camelCase names; the v3 name serves both when no 2.x name is given)."""

    def __init__(
        self,
        root: etree._Element,
        metadata: dict[str, str],
        href: str,
        language: str,
        rewrite: Any,
    ) -> None:
        self.root = root
        self.is_v3 = etree.QName(root).namespace == QTI
        self.language = language
        self.metadata = metadata
        self.declared_format = metadata.get("format", "")
        self.href = href
        self.rewrite = rewrite
        self.values = [value.text or "" for value in self.find("qti-value", "value")]
        declarations = self.find("qti-response-declaration", "responseDeclaration")
        if declarations:
            correct = self.find("qti-correct-response", "correctResponse", within=declarations[0])
            self.values = (
                [value.text or "" for value in self.find("qti-value", "value", within=correct[0])]
                if correct
                else []
            )
        self.mapping = [
            self.attribute(entry, "map-key", "mapKey")
            for entry in self.find("qti-map-entry", "mapEntry")
        ]
        self.base_type = (
            self.attribute(declarations[0], "base-type", "baseType") if declarations else ""
        )
        if not self.values:
            self.values = self._values_from_processing()

    def _values_from_processing(self) -> list[str]:
        """The answers a tool's own response processing matches (when it declared no correct
        response): the values RESPONSE is matched against in the branches that score, a
        numeric range as its centre (the half-width becomes the tolerance)."""
        values: list[str] = []
        for match in self.find("qti-match", "match"):
            if any(localname(parent) in ("qti-not", "not") for parent in match.iterancestors()):
                continue
            values += [
                node.text or "" for node in self.find("qti-base-value", "baseValue", within=match)
            ]
        if values or self.base_type != "float":
            return values
        low = [self._bound(node) for node in self.find("qti-gte", "gte")]
        high = [self._bound(node) for node in self.find("qti-lte", "lte")]
        if low and high and low[0] is not None and high[0] is not None:
            self.metadata.setdefault("tolerance", repr((high[0] - low[0]) / 2))
            return [repr((low[0] + high[0]) / 2)]
        return []

    def _bound(self, comparison: etree._Element) -> float | None:
        found = self.find("qti-base-value", "baseValue", within=comparison)
        try:
            return float(found[0].text or "") if found else None
        except ValueError:
            return None

    def name(self, v3_name: str, v21_name: str | None = None) -> str:
        return v3_name if self.is_v3 or v21_name is None else v21_name

    def find(
        self, v3_tag: str, v21_tag: str | None = None, within: etree._Element | None = None
    ) -> list[etree._Element]:
        return local(self.root if within is None else within, self.name(v3_tag, v21_tag))

    def attribute(self, element: etree._Element, v3_name: str, v21_name: str | None = None) -> str:
        return element.get(self.name(v3_name, v21_name), "")

    def classes(self, element: etree._Element) -> list[str]:
        return (element.get("class") or "").split()

    def html(self, element: etree._Element, skip: frozenset[str] = frozenset()) -> str:
        return EMPTY_PARAGRAPH.sub("", clean_html(self.rewrite(raw_html(element, skip)))).strip()

    def options(
        self, parent: etree._Element, v3_tag: str, v21_tag: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            {"id": choice.get("identifier"), "text": {self.language: self.html(choice)}}
            for choice in self.find(v3_tag, v21_tag, within=parent)
        ]

    def tail_text(self, element: etree._Element) -> str:
        return (element.tail or "").strip()

    def error(self, message: str) -> QtiError:
        return QtiError(f"{self.href}: {message}")


@dataclass
class ReadItem:
    node: dict[str, Any]
    identifier: str
    # What the bank must supply (capacity, level, source) and why the item is a draft.
    missing: set[str] = field(default_factory=set)
    reasons: list[str] = field(default_factory=list)


def read_item(
    root: etree._Element,
    metadata: dict[str, str],
    href: str,
    images: PackageImages,
    stimulus_codes: dict[str, str],
) -> ReadItem:
    """One item of a package as a bank node, or QtiError saying why it cannot be."""
    namespace = etree.QName(root).namespace
    if localname(root) not in ("qti-assessment-item", "assessmentItem"):
        raise QtiError(
            _("%(href)s : ce n'est pas un item QTI (%(root)s)")
            % {"href": href, "root": localname(root)}
        )
    if namespace != QTI and namespace not in QTI2:
        raise QtiError(
            _("%(href)s : espace de noms inattendu (%(found)s) ; attendu : %(expected)s")
            % {"href": href, "found": namespace or "-", "expected": QTI}
        )
    identifier = root.get("identifier") or href
    code = palier_code(identifier)
    unsupported = [name for name in interaction_names(root) if name not in SUPPORTED_INTERACTIONS]
    if unsupported:
        raise QtiError(
            _("%(href)s : interaction non prise en charge (%(names)s)")
            % {"href": href, "names": ", ".join(sorted(set(unsupported)))}
        )
    if len(interaction_names(root)) > 1:
        raise QtiError(_("%(href)s : plusieurs interactions dans un même item") % {"href": href})
    foreign = not metadata
    declared = root.get(XML_LANG) or "fr"
    language = "fr" if foreign else declared
    result = ReadItem(node={}, identifier=identifier)
    reasons = result.reasons

    def rewrite(html: str) -> str:
        return images.rewrite(html, href, code, reasons)

    meta = dict(metadata)
    reader = _Reader(root, meta, href, language, rewrite)
    item_format, definition = _format_and_definition(reader)
    try:
        validate_definition(item_format, definition)
    except DefinitionError as error:
        raise QtiError(
            _("%(href)s : réponse illisible (%(detail)s)") % {"href": href, "detail": error.message}
        ) from error
    stem = _stem(reader)
    if not stem:
        raise QtiError(_("%(href)s : énoncé vide") % {"href": href})
    if len(stem) > MAX_STEM:
        raise QtiError(
            _("%(href)s : énoncé trop long (%(max)s caractères au plus)")
            % {"href": href, "max": MAX_STEM}
        )
    feedback_nodes = reader.find("qti-content-body", "modalFeedback")
    feedback = reader.html(feedback_nodes[0]) if feedback_nodes else ""
    if foreign and declared != "fr":
        reasons.append(
            _("texte en « %(language)s » : à traduire en français") % {"language": declared}
        )
    if not feedback:
        reasons.append(_("explication de la bonne réponse à rédiger"))
        feedback = _("Explication à rédiger.")
    result.missing = {key for key in ("capacity", "level", "source") if key not in meta}
    stimulus_ref = local(root, "qti-assessment-stimulus-ref")
    stimulus = stimulus_ref[0].get("identifier") if stimulus_ref else None
    if stimulus and stimulus not in stimulus_codes:
        reasons.append(
            _("mise en situation « %(id)s » absente du paquet : item importé sans elle")
            % {"id": stimulus}
        )
        stimulus = None
    result.node = {
        "code": code,
        "capacity": meta.get("capacity"),
        "level": int(meta["level"]) if meta.get("level", "").isdigit() else None,
        "format": item_format,
        "stimulus": stimulus_codes[stimulus] if stimulus else None,
        "stem": {language: stem},
        "definition": definition,
        "feedback": {language: feedback},
        "source": meta.get("source", ""),
        "estimated_seconds": int(meta["estimated-seconds"])
        if meta.get("estimated-seconds", "").isdigit()
        else DEFAULT_SECONDS,
        "accessibility": {
            "screen_reader": meta.get("screen-reader", "true") == "true",
            "colour_independent": meta.get("colour-independent", "true") == "true",
        },
    }
    return result


def _format_and_definition(reader: _Reader) -> tuple[str, dict[str, Any]]:
    """The first format that reads the item, the one its Palier metadata declares first."""
    candidates = [REGISTRY[reader.declared_format]] if reader.declared_format in REGISTRY else []
    for item_format in [*candidates, *REGISTRY.values()]:
        definition = item_format.qti_import(reader)
        if definition is not None:
            return item_format.name, definition
    raise reader.error(_("aucune interaction lisible (choix, saisie, ordre, association)"))


def _stem(reader: _Reader) -> str:
    """Palier's own stem block, else the body's prose and the interaction's prompt."""
    own = [node for node in local(reader.root, "div") if "palier-stem" in reader.classes(node)]
    if own:
        return reader.html(own[0])
    bodies = reader.find("qti-item-body", "itemBody")
    if not bodies:
        return ""
    interactions = frozenset(interaction_names(bodies[0]))
    prose = reader.html(
        bodies[0], skip=interactions | frozenset({"qti-rubric-block", "rubricBlock"})
    )
    prompts = [node for node in bodies[0].iter() if localname(node) in PROMPTS]
    prompt = reader.html(prompts[0]) if prompts else ""
    return (_paragraph(prose) + _paragraph(prompt)).strip()


def _paragraph(html: str) -> str:
    """Bare text (some tools write the stem straight into the body) in a paragraph."""
    return f"<p>{html}</p>" if html and not html.startswith("<") else html
