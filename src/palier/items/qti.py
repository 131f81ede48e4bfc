"""IMS QTI 3.0 packages (zip + imsmanifest.xml) for the formats that map onto QTI
interactions, and reading of QTI 2.1 choice and text-entry items.

Each format module (items/formats/) maps its own definition onto a QTI interaction and reads
it back, through the `_Writer` and `_Reader` below (the XML stays here). Stimuli are
qti-assessment-stimulus files.
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
from palier.items.formats import REGISTRY, get_format
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


class _Writer:
    """The `QtiWriter` a format fills: its response declaration, its interaction in the
    item body, and (numeric) its own response processing."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.declaration: etree._Element | None = None
        self.body: list[etree._Element] = []
        self.processing: etree._Element | None = None

    def response(
        self,
        cardinality: str,
        base_type: str,
        values: list[str],
        mapping: list[str] | None = None,
    ) -> None:
        self.declaration = etree.Element(
            _q("qti-response-declaration"),
            {"identifier": "RESPONSE", "cardinality": cardinality, "base-type": base_type},
        )
        correct = etree.SubElement(self.declaration, _q("qti-correct-response"))
        for value in values:
            etree.SubElement(correct, _q("qti-value")).text = value
        if mapping is not None:
            entries = etree.SubElement(self.declaration, _q("qti-mapping"), {"default-value": "0"})
            for answer in mapping:
                etree.SubElement(
                    entries,
                    _q("qti-map-entry"),
                    {"map-key": answer, "mapped-value": "1", "case-sensitive": "false"},
                )

    def interaction(self, tag: str, attributes: dict[str, str]) -> etree._Element:
        element = etree.Element(_q(tag), {"response-identifier": "RESPONSE", **attributes})
        self.body.append(element)
        return element

    def element(
        self, parent: etree._Element, tag: str, attributes: dict[str, str] | None = None
    ) -> etree._Element:
        return etree.SubElement(parent, _q(tag), attributes or {})

    def choices(
        self, parent: etree._Element, tag: str, options: list[dict[str, Any]], **attributes: str
    ) -> None:
        for option in options:
            choice = etree.SubElement(parent, _q(tag), {"identifier": option["id"], **attributes})
            choice.text = _text(option, "text", self.language)

    def text_entry(self, unit: str = "") -> None:
        paragraph = etree.Element(_q("p"))
        entry = etree.SubElement(
            paragraph,
            _q("qti-text-entry-interaction"),
            {"response-identifier": "RESPONSE", "expected-length": "30"},
        )
        if unit:
            entry.tail = " " + unit
        self.body.append(paragraph)

    def tolerance_processing(self, tolerance: float) -> None:
        bound = repr(float(tolerance))
        self.processing = etree.Element(_q("qti-response-processing"))
        condition = etree.SubElement(self.processing, _q("qti-response-condition"))
        branch = etree.SubElement(condition, _q("qti-response-if"))
        equal = etree.SubElement(
            branch,
            _q("qti-equal"),
            {"tolerance-mode": "absolute", "tolerance": f"{bound} {bound}"},
        )
        etree.SubElement(equal, _q("qti-variable"), {"identifier": "RESPONSE"})
        etree.SubElement(equal, _q("qti-correct"), {"identifier": "RESPONSE"})
        outcome = etree.SubElement(branch, _q("qti-set-outcome-value"), {"identifier": "SCORE"})
        etree.SubElement(outcome, _q("qti-base-value"), {"base-type": "float"}).text = "1"


def item_xml(node: dict[str, Any], language: str = "fr") -> bytes:
    """One qti-assessment-item for a document item node; the format module writes its
    response declaration and interaction."""
    writer = _Writer(language)
    get_format(node["format"]).qti_export(node["definition"], writer)
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
    if writer.declaration is not None:
        item.append(writer.declaration)
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
    body.extend(writer.body)
    if writer.processing is not None:
        item.append(writer.processing)
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


class _Reader:
    """The `QtiReader` a format reads its definition from: one QTI 3 or 2.1 item (2.1 uses
    camelCase names; the v3 name serves both when no 2.1 name is given)."""

    def __init__(self, root: etree._Element, metadata: dict[str, str], href: str) -> None:
        self.root = root
        self.is_v3 = etree.QName(root).namespace == QTI
        self.language = root.get(XML_LANG) or "fr"
        self.metadata = metadata
        self.declared_format = metadata.get("format", "")
        self.href = href
        self.values = [value.text or "" for value in self.find("qti-value", "value")]
        self.mapping = [
            self.attribute(entry, "map-key", "mapKey")
            for entry in self.find("qti-map-entry", "mapEntry")
        ]
        declarations = self.find("qti-response-declaration", "responseDeclaration")
        self.base_type = (
            self.attribute(declarations[0], "base-type", "baseType") if declarations else ""
        )

    def name(self, v3_name: str, v21_name: str | None = None) -> str:
        return v3_name if self.is_v3 or v21_name is None else v21_name

    def find(
        self, v3_tag: str, v21_tag: str | None = None, within: etree._Element | None = None
    ) -> list[etree._Element]:
        return _local(self.root if within is None else within, self.name(v3_tag, v21_tag))

    def attribute(self, element: etree._Element, v3_name: str, v21_name: str | None = None) -> str:
        return element.get(self.name(v3_name, v21_name), "")

    def classes(self, element: etree._Element) -> list[str]:
        return (element.get("class") or "").split()

    def options(
        self, parent: etree._Element, v3_tag: str, v21_tag: str | None = None
    ) -> list[dict[str, Any]]:
        return [
            {"id": choice.get("identifier"), "text": {self.language: _inner_html(choice)}}
            for choice in self.find(v3_tag, v21_tag, within=parent)
        ]

    def tail_text(self, element: etree._Element) -> str:
        return (element.tail or "").strip()

    def error(self, message: str) -> QtiError:
        return QtiError(f"{self.href}: {message}")


def _format_and_definition(reader: _Reader) -> tuple[str, dict[str, Any]]:
    """The first format that reads the item, the one its Palier metadata declares first."""
    candidates = [REGISTRY[reader.declared_format]] if reader.declared_format in REGISTRY else []
    for item_format in [*candidates, *REGISTRY.values()]:
        definition = item_format.qti_import(reader)
        if definition is not None:
            return item_format.name, definition
    raise reader.error("no supported interaction (choice, text entry, order, match)")


def _read_item(
    root: etree._Element, metadata: etree._Element | None, defaults: dict[str, Any], href: str
) -> dict[str, Any]:
    meta = dict(metadata.attrib) if metadata is not None else {}
    reader = _Reader(root, meta, href)
    item_format, definition = _format_and_definition(reader)
    language = reader.language
    stem_node = [node for node in _local(root, "div") if "palier-stem" in (node.get("class") or "")]
    body = (reader.find("qti-item-body", "itemBody") or [None])[0]
    stem = _inner_html(stem_node[0]) if stem_node else _stem_outside(body)
    feedback = reader.find("qti-content-body", "modalFeedback")
    stimulus_ref = _local(root, "qti-assessment-stimulus-ref")
    return {
        "code": root.get("identifier"),
        "capacity": meta.get("capacity", defaults.get("capacity")),
        "level": int(meta["level"]) if "level" in meta else defaults.get("level"),
        "format": item_format,
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
