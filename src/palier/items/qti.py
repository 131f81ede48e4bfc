"""IMS QTI 3.0 packages (zip + imsmanifest.xml) for the formats that map onto QTI
interactions, and reading of QTI 2.1 choice and text-entry items.

Mapping: single_choice / multiple_response / stimulus_choice -> qti-choice-interaction;
short_text and numeric -> qti-text-entry-interaction; ordering -> qti-order-interaction;
matching -> qti-match-interaction (directedPair). Stimuli are qti-assessment-stimulus files.
Palier fields without a QTI equivalent (capacity, intended level, source, duration,
accessibility flags, tolerances) travel in the manifest's resource metadata.

XML is parsed without DTDs, entities or network access; a DOCTYPE is refused outright, and
package and file sizes are capped.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import lxml.html
from lxml import etree

from palier.core.uploads import UploadLimitError, ZipLimits, ZipReader
from palier.items.html import clean_html

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
PALIER = "urn:palier:qti-metadata"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAX_PACKAGE_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_FILES = 5_000
# Everything read from one package, uncompressed: a 20 MiB zip of highly compressed entries
# would otherwise unpack to gigabytes.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
PACKAGE_LIMITS = ZipLimits(
    max_archive_bytes=MAX_PACKAGE_BYTES,
    max_entries=MAX_FILES,
    max_entry_bytes=MAX_FILE_BYTES,
    max_total_bytes=MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio=MAX_COMPRESSION_RATIO,
)
CHOICE_FORMATS = ("single_choice", "multiple_response", "stimulus_choice")


class QtiError(ValueError):
    """The package cannot be read; the message says why (and where)."""


def _q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


# --- HTML <-> QTI body content ------------------------------------------------------------


def _append_html(parent: etree._Element, html: str) -> None:
    """Copy a safe HTML fragment into `parent`, every element in the QTI namespace."""
    if not html.strip():
        return
    fragments = lxml.html.fragments_fromstring(html)
    for fragment in fragments:
        if isinstance(fragment, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + fragment
            else:
                parent.text = (parent.text or "") + fragment
        else:
            parent.append(_namespaced(fragment))


def _namespaced(element: Any) -> etree._Element:
    copy = etree.Element(_q(element.tag), {k: v for k, v in element.attrib.items()})
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        if isinstance(child.tag, str):
            copy.append(_namespaced(child))
    return copy


def _inner_html(element: etree._Element) -> str:
    """The children of a QTI element as plain HTML (namespaces dropped), then cleaned."""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        plain = etree.Element(etree.QName(child).localname, dict(child.attrib))
        plain.text, plain.tail = child.text, child.tail
        for grandchild in child:
            plain.append(grandchild)
        parts.append(lxml.html.tostring(_strip_namespaces(plain), encoding="unicode"))
    return clean_html("".join(parts).strip())


def _strip_namespaces(element: etree._Element) -> etree._Element:
    for node in element.iter():
        if isinstance(node.tag, str):
            node.tag = etree.QName(node).localname
    return element


# --- export -------------------------------------------------------------------------------


def _text(node: dict[str, Any], key: str, language: str) -> str:
    value = node.get(key) or {}
    return value.get(language) or value.get("fr", "")


def _response(
    item: etree._Element, cardinality: str, base_type: str, values: list[str]
) -> etree._Element:
    declaration = etree.SubElement(
        item,
        _q("qti-response-declaration"),
        {"identifier": "RESPONSE", "cardinality": cardinality, "base-type": base_type},
    )
    correct = etree.SubElement(declaration, _q("qti-correct-response"))
    for value in values:
        etree.SubElement(correct, _q("qti-value")).text = value
    return declaration


def _choices(
    parent: etree._Element,
    tag: str,
    options: list[dict[str, Any]],
    language: str,
    **attributes: str,
) -> None:
    for option in options:
        choice = etree.SubElement(parent, _q(tag), {"identifier": option["id"], **attributes})
        choice.text = _text(option, "text", language)


def item_xml(node: dict[str, Any], language: str = "fr") -> bytes:
    """One qti-assessment-item for a document item node."""
    item_format, definition = node["format"], node["definition"]
    item = etree.Element(
        _q("qti-assessment-item"),
        nsmap={None: QTI},
        attrib={
            "identifier": node["code"],
            "title": node["code"],
            "adaptive": "false",
            "time-dependent": "false",
            XML_LANG: language,
        },
    )
    if item_format == "single_choice":
        _response(item, "single", "identifier", [definition["correct"]])
    elif item_format in ("multiple_response", "stimulus_choice"):
        _response(item, "multiple", "identifier", list(definition["correct"]))
    elif item_format == "short_text":
        accepted = definition["accepted"]
        declaration = _response(
            item, "single", "string", list(accepted.get(language) or accepted["fr"])
        )
        mapping = etree.SubElement(declaration, _q("qti-mapping"), {"default-value": "0"})
        for answer in [*accepted.get("fr", []), *accepted.get("en", [])]:
            etree.SubElement(
                mapping,
                _q("qti-map-entry"),
                {"map-key": answer, "mapped-value": "1", "case-sensitive": "false"},
            )
    elif item_format == "numeric":
        _response(item, "single", "float", [repr(float(definition["value"]))])
    elif item_format == "ordering":
        _response(item, "ordered", "identifier", list(definition["correct"]))
    elif item_format == "matching":
        _response(
            item,
            "multiple",
            "directedPair",
            [f"{left} {right}" for left, right in definition["correct"].items()],
        )
    etree.SubElement(
        item,
        _q("qti-outcome-declaration"),
        {"identifier": "SCORE", "cardinality": "single", "base-type": "float"},
    )
    if node.get("stimulus"):
        etree.SubElement(
            item,
            _q("qti-assessment-stimulus-ref"),
            {"identifier": node["stimulus"], "href": f"../stimuli/{node['stimulus']}.xml"},
        )
    body = etree.SubElement(item, _q("qti-item-body"))
    stem = etree.SubElement(body, _q("div"), {"class": "palier-stem"})
    _append_html(stem, _text(node, "stem", language))
    _interaction(body, item_format, definition, language)
    if item_format == "numeric":
        _numeric_processing(item, definition)
    else:
        etree.SubElement(item, _q("qti-response-processing"), {"template": MATCH_CORRECT})
    feedback = etree.SubElement(
        item,
        _q("qti-modal-feedback"),
        {"outcome-identifier": "FEEDBACK", "identifier": "SOLUTION", "show-hide": "show"},
    )
    content = etree.SubElement(feedback, _q("qti-content-body"))
    _append_html(content, _text(node, "feedback", language))
    return etree.tostring(item, xml_declaration=True, encoding="UTF-8")


def _interaction(
    body: etree._Element, item_format: str, definition: dict[str, Any], language: str
) -> None:
    if item_format in CHOICE_FORMATS:
        interaction = etree.SubElement(
            body,
            _q("qti-choice-interaction"),
            {
                "response-identifier": "RESPONSE",
                "shuffle": "true",
                "max-choices": "1" if item_format == "single_choice" else "0",
                **({"class": "palier-stimulus-choice"} if item_format == "stimulus_choice" else {}),
            },
        )
        _choices(interaction, "qti-simple-choice", definition["options"], language)
    elif item_format in ("short_text", "numeric"):
        paragraph = etree.SubElement(body, _q("p"))
        etree.SubElement(
            paragraph,
            _q("qti-text-entry-interaction"),
            {"response-identifier": "RESPONSE", "expected-length": "30"},
        )
        unit = definition.get("unit") if item_format == "numeric" else None
        if unit:
            paragraph[-1].tail = " " + (unit.get(language) or unit["fr"])
    elif item_format == "ordering":
        interaction = etree.SubElement(
            body,
            _q("qti-order-interaction"),
            {"response-identifier": "RESPONSE", "shuffle": "true"},
        )
        _choices(interaction, "qti-simple-choice", definition["options"], language)
    elif item_format == "matching":
        interaction = etree.SubElement(
            body,
            _q("qti-match-interaction"),
            {
                "response-identifier": "RESPONSE",
                "shuffle": "true",
                "max-associations": str(len(definition["left"])),
            },
        )
        for side in ("left", "right"):
            match_set = etree.SubElement(interaction, _q("qti-simple-match-set"))
            _choices(
                match_set,
                "qti-simple-associable-choice",
                definition[side],
                language,
                **{"match-max": "1" if side == "left" else str(len(definition["left"]))},
            )


def _numeric_processing(item: etree._Element, definition: dict[str, Any]) -> None:
    tolerance = repr(float(definition.get("tolerance", 0)))
    processing = etree.SubElement(item, _q("qti-response-processing"))
    condition = etree.SubElement(processing, _q("qti-response-condition"))
    branch = etree.SubElement(condition, _q("qti-response-if"))
    equal = etree.SubElement(
        branch,
        _q("qti-equal"),
        {"tolerance-mode": "absolute", "tolerance": f"{tolerance} {tolerance}"},
    )
    etree.SubElement(equal, _q("qti-variable"), {"identifier": "RESPONSE"})
    etree.SubElement(equal, _q("qti-correct"), {"identifier": "RESPONSE"})
    outcome = etree.SubElement(branch, _q("qti-set-outcome-value"), {"identifier": "SCORE"})
    etree.SubElement(outcome, _q("qti-base-value"), {"base-type": "float"}).text = "1"


def stimulus_xml(node: dict[str, Any], language: str = "fr") -> bytes:
    stimulus = etree.Element(
        _q("qti-assessment-stimulus"),
        nsmap={None: QTI},
        attrib={
            "identifier": node["code"],
            "title": _text(node, "title", language),
            XML_LANG: language,
            "class": f"palier-kind-{node['kind']}",
        },
    )
    body = etree.SubElement(stimulus, _q("qti-stimulus-body"))
    _append_html(body, _text(node, "content", language))
    return etree.tostring(stimulus, xml_declaration=True, encoding="UTF-8")


def export_package(document: dict[str, Any], language: str = "fr") -> bytes:
    """A QTI 3.0 content package (zip) of a bank document, in one language."""
    manifest = etree.Element(
        f"{{{CP}}}manifest",
        nsmap={None: CP, "palier": PALIER},
        attrib={"identifier": "palier-items"},
    )
    etree.SubElement(manifest, f"{{{CP}}}organizations")
    resources = etree.SubElement(manifest, f"{{{CP}}}resources")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for node in document.get("stimuli", []):
            href = f"stimuli/{node['code']}.xml"
            package.writestr(href, stimulus_xml(node, language))
            resource = etree.SubElement(
                resources,
                f"{{{CP}}}resource",
                {"identifier": node["code"], "type": "imsqti_stimulus_xmlv3p0", "href": href},
            )
            etree.SubElement(resource, f"{{{CP}}}file", {"href": href})
        for node in document["items"]:
            href = f"items/{node['code']}.xml"
            package.writestr(href, item_xml(node, language))
            resource = etree.SubElement(
                resources,
                f"{{{CP}}}resource",
                {"identifier": node["code"], "type": "imsqti_item_xmlv3p0", "href": href},
            )
            metadata = etree.SubElement(resource, f"{{{CP}}}metadata")
            definition = node["definition"]
            etree.SubElement(
                metadata,
                f"{{{PALIER}}}item",
                {
                    "capacity": node["capacity"],
                    "level": str(node["level"]),
                    "format": node["format"],
                    "source": node["source"],
                    "estimated-seconds": str(node["estimated_seconds"]),
                    "screen-reader": str(node["accessibility"]["screen_reader"]).lower(),
                    "colour-independent": str(node["accessibility"]["colour_independent"]).lower(),
                    "max-typos": str(definition.get("max_typos", 1)),
                    "tolerance": repr(float(definition.get("tolerance", 0))),
                },
            )
            etree.SubElement(resource, f"{{{CP}}}file", {"href": href})
        package.writestr(
            "imsmanifest.xml", etree.tostring(manifest, xml_declaration=True, encoding="UTF-8")
        )
    return buffer.getvalue()


# --- import -------------------------------------------------------------------------------

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=True,
)


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML: no DOCTYPE (so no entities), no network, bounded size."""
    if len(data) > MAX_FILE_BYTES:
        raise QtiError(f"{name}: file larger than {MAX_FILE_BYTES // 1024} KiB")
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise QtiError(f"{name}: DOCTYPE and entity declarations are not accepted")
    try:
        return etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        raise QtiError(f"{name}: malformed XML ({error})") from error


def _open_package(data: bytes) -> ZipReader:
    try:
        package = ZipReader(data, PACKAGE_LIMITS)
    except UploadLimitError as error:
        raise QtiError(str(error).replace("archive", "package")) from error
    if "imsmanifest.xml" not in package:
        raise QtiError("imsmanifest.xml missing")
    return package


def _read(package: ZipReader, name: str) -> bytes:
    """One file of the package, streamed within the package limits."""
    try:
        return package.read(name)
    except UploadLimitError as error:
        raise QtiError(str(error)) from error


def import_package(data: bytes, defaults: dict[str, Any] | None = None) -> dict[str, Any]:
    """A bank document from a QTI 3.0 package (or QTI 2.1 items in a package).

    `defaults` gives capacity/level/source for items whose manifest has no Palier metadata
    (packages made by other tools)."""
    package = _open_package(data)
    manifest = parse_xml(_read(package, "imsmanifest.xml"), "imsmanifest.xml")
    document: dict[str, Any] = {"stimuli": [], "items": []}
    for resource in manifest.iter(f"{{{CP}}}resource", "{*}resource"):
        href = resource.get("href", "")
        if href not in package:
            raise QtiError(f"{href or resource.get('identifier')}: file missing from package")
        root = parse_xml(_read(package, href), href)
        if etree.QName(root).localname == "qti-assessment-stimulus":
            document["stimuli"].append(_read_stimulus(root))
        else:
            metadata = resource.find(f".//{{{PALIER}}}item")
            document["items"].append(_read_item(root, metadata, defaults or {}, href))
    return document


def _read_stimulus(root: etree._Element) -> dict[str, Any]:
    language = root.get(XML_LANG, "fr")
    kind = (root.get("class") or "").removeprefix("palier-kind-") or "document"
    body = root.find(_q("qti-stimulus-body"))
    return {
        "code": root.get("identifier"),
        "kind": kind,
        "title": {language: root.get("title", "")},
        "content": {language: _inner_html(body) if body is not None else ""},
    }


def _local(root: etree._Element, name: str) -> list[etree._Element]:
    return [
        node
        for node in root.iter()
        if isinstance(node.tag, str) and etree.QName(node).localname == name
    ]


def _options(interaction: etree._Element, tag: str, language: str) -> list[dict[str, Any]]:
    return [
        {"id": choice.get("identifier"), "text": {language: _inner_html(choice)}}
        for choice in _local(interaction, tag)
    ]


def _read_item(
    root: etree._Element, metadata: etree._Element | None, defaults: dict[str, Any], href: str
) -> dict[str, Any]:
    is_v3 = etree.QName(root).namespace == QTI
    language = root.get(XML_LANG) or "fr"

    def name(v3: str, v21: str) -> str:
        return v3 if is_v3 else v21

    meta = dict(metadata.attrib) if metadata is not None else {}
    values = [value.text or "" for value in _local(root, name("qti-value", "value"))]
    mapping = [
        entry.get(name("map-key", "mapKey"), "")
        for entry in _local(root, name("qti-map-entry", "mapEntry"))
    ]
    definition: dict[str, Any]
    choice = _local(root, name("qti-choice-interaction", "choiceInteraction"))
    order = _local(root, "qti-order-interaction")
    match = _local(root, "qti-match-interaction")
    text_entry = _local(root, name("qti-text-entry-interaction", "textEntryInteraction"))
    declaration = (_local(root, name("qti-response-declaration", "responseDeclaration")) or [None])[
        0
    ]
    base_type = (
        declaration.get(name("base-type", "baseType"), "") if declaration is not None else ""
    )
    if choice:
        options = _options(choice[0], name("qti-simple-choice", "simpleChoice"), language)
        if choice[0].get(name("max-choices", "maxChoices")) == "1":
            item_format, definition = (
                "single_choice",
                {"options": options, "correct": values[0] if values else ""},
            )
        else:
            stimulus_choice = "palier-stimulus-choice" in (choice[0].get("class") or "")
            item_format = "stimulus_choice" if stimulus_choice else "multiple_response"
            definition = {"options": options, "correct": values}
    elif order:
        item_format = "ordering"
        definition = {
            "options": _options(order[0], "qti-simple-choice", language),
            "correct": values,
        }
    elif match:
        sets = _local(match[0], "qti-simple-match-set")
        if len(sets) != 2:
            raise QtiError(f"{href}: a match interaction needs two match sets")
        left = _options(sets[0], "qti-simple-associable-choice", language)
        right = _options(sets[1], "qti-simple-associable-choice", language)
        pairs = dict(value.split(" ", 1) for value in values if " " in value)
        item_format, definition = "matching", {"left": left, "right": right, "correct": pairs}
    elif text_entry and base_type == "float":
        unit_text = (text_entry[0].tail or "").strip()
        item_format = "numeric"
        definition = {
            "value": float(values[0]) if values else None,
            "tolerance": float(meta.get("tolerance", 0)),
            "unit": {language: unit_text} if unit_text else None,
        }
    elif text_entry:
        accepted = {language: values}
        others = [answer for answer in mapping if answer not in values]
        if others:
            accepted["en" if language == "fr" else "fr"] = others
        item_format = "short_text"
        definition = {"accepted": accepted, "max_typos": int(meta.get("max-typos", 1))}
    else:
        raise QtiError(f"{href}: no supported interaction (choice, text entry, order, match)")
    stem_node = [node for node in _local(root, "div") if "palier-stem" in (node.get("class") or "")]
    body = (_local(root, name("qti-item-body", "itemBody")) or [None])[0]
    stem = _inner_html(stem_node[0]) if stem_node else _stem_outside(body)
    feedback = _local(root, name("qti-content-body", "modalFeedback"))
    stimulus_ref = _local(root, "qti-assessment-stimulus-ref")
    return {
        "code": root.get("identifier"),
        "capacity": meta.get("capacity", defaults.get("capacity")),
        "level": int(meta["level"]) if "level" in meta else defaults.get("level"),
        "format": meta.get("format", item_format)
        if meta.get("format") in (item_format, "stimulus_choice")
        else item_format,
        "stimulus": stimulus_ref[0].get("identifier") if stimulus_ref else None,
        "stem": {language: stem},
        "definition": definition,
        "feedback": {language: _inner_html(feedback[0]) if feedback else ""},
        "source": meta.get("source", defaults.get("source", "")),
        "estimated_seconds": int(
            meta.get("estimated-seconds", defaults.get("estimated_seconds", 60))
        ),
        "accessibility": {
            "screen_reader": meta.get("screen-reader", "true") == "true",
            "colour_independent": meta.get("colour-independent", "true") == "true",
        },
    }


def _stem_outside(body: etree._Element | None) -> str:
    """For items made by other tools: the item body's prose, interactions left out."""
    if body is None:
        return ""
    parts = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        local = etree.QName(child).localname
        if "nteraction" in local:
            continue
        texts = [
            text
            for node in child.iter()
            if isinstance(node.tag, str) and "nteraction" not in etree.QName(node).localname
            for text in (node.text,)
            if text and text.strip()
        ]
        if texts:
            parts.append(f"<p>{' '.join(text.strip() for text in texts)}</p>")
    return clean_html("".join(parts))
