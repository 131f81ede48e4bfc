"""Export: a QTI 3.0 content package (zip + imsmanifest.xml) of a bank document.

Each format module (items/formats/) maps its own definition onto a QTI interaction through
the `_Writer` below (the XML stays here). Stimuli are qti-assessment-stimulus files.
Palier fields without a QTI equivalent (capacity, intended level, source, duration,
accessibility flags, tolerances) travel in the manifest's resource metadata.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from lxml import etree

from palier.items.formats import get_format
from palier.items.qti.xml import CP, MATCH_CORRECT, PALIER, QTI, XML_LANG, append_html, q


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
            q("qti-response-declaration"),
            {"identifier": "RESPONSE", "cardinality": cardinality, "base-type": base_type},
        )
        correct = etree.SubElement(self.declaration, q("qti-correct-response"))
        for value in values:
            etree.SubElement(correct, q("qti-value")).text = value
        if mapping is not None:
            entries = etree.SubElement(self.declaration, q("qti-mapping"), {"default-value": "0"})
            for answer in mapping:
                etree.SubElement(
                    entries,
                    q("qti-map-entry"),
                    {"map-key": answer, "mapped-value": "1", "case-sensitive": "false"},
                )

    def interaction(self, tag: str, attributes: dict[str, str]) -> etree._Element:
        element = etree.Element(q(tag), {"response-identifier": "RESPONSE", **attributes})
        self.body.append(element)
        return element

    def element(
        self, parent: etree._Element, tag: str, attributes: dict[str, str] | None = None
    ) -> etree._Element:
        return etree.SubElement(parent, q(tag), attributes or {})

    def choices(
        self, parent: etree._Element, tag: str, options: list[dict[str, Any]], **attributes: str
    ) -> None:
        for option in options:
            choice = etree.SubElement(parent, q(tag), {"identifier": option["id"], **attributes})
            choice.text = _text(option, "text", self.language)

    def text_entry(self, unit: str = "") -> None:
        paragraph = etree.Element(q("p"))
        entry = etree.SubElement(
            paragraph,
            q("qti-text-entry-interaction"),
            {"response-identifier": "RESPONSE", "expected-length": "30"},
        )
        if unit:
            entry.tail = " " + unit
        self.body.append(paragraph)

    def tolerance_processing(self, tolerance: float) -> None:
        bound = repr(float(tolerance))
        self.processing = etree.Element(q("qti-response-processing"))
        condition = etree.SubElement(self.processing, q("qti-response-condition"))
        branch = etree.SubElement(condition, q("qti-response-if"))
        equal = etree.SubElement(
            branch,
            q("qti-equal"),
            {"tolerance-mode": "absolute", "tolerance": f"{bound} {bound}"},
        )
        etree.SubElement(equal, q("qti-variable"), {"identifier": "RESPONSE"})
        etree.SubElement(equal, q("qti-correct"), {"identifier": "RESPONSE"})
        outcome = etree.SubElement(branch, q("qti-set-outcome-value"), {"identifier": "SCORE"})
        etree.SubElement(outcome, q("qti-base-value"), {"base-type": "float"}).text = "1"


def item_xml(node: dict[str, Any], language: str = "fr") -> bytes:
    """One qti-assessment-item for a document item node; the format module writes its
    response declaration and interaction."""
    writer = _Writer(language)
    get_format(node["format"]).qti_export(node["definition"], writer)
    item = etree.Element(
        q("qti-assessment-item"),
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
        q("qti-outcome-declaration"),
        {"identifier": "SCORE", "cardinality": "single", "base-type": "float"},
    )
    if node.get("stimulus"):
        etree.SubElement(
            item,
            q("qti-assessment-stimulus-ref"),
            {"identifier": node["stimulus"], "href": f"../stimuli/{node['stimulus']}.xml"},
        )
    body = etree.SubElement(item, q("qti-item-body"))
    stem = etree.SubElement(body, q("div"), {"class": "palier-stem"})
    append_html(stem, _text(node, "stem", language))
    body.extend(writer.body)
    if writer.processing is not None:
        item.append(writer.processing)
    else:
        etree.SubElement(item, q("qti-response-processing"), {"template": MATCH_CORRECT})
    feedback = etree.SubElement(
        item,
        q("qti-modal-feedback"),
        {"outcome-identifier": "FEEDBACK", "identifier": "SOLUTION", "show-hide": "show"},
    )
    content = etree.SubElement(feedback, q("qti-content-body"))
    append_html(content, _text(node, "feedback", language))
    return etree.tostring(item, xml_declaration=True, encoding="UTF-8")


def stimulus_xml(node: dict[str, Any], language: str = "fr") -> bytes:
    stimulus = etree.Element(
        q("qti-assessment-stimulus"),
        nsmap={None: QTI},
        attrib={
            "identifier": node["code"],
            "title": _text(node, "title", language),
            XML_LANG: language,
            "class": f"palier-kind-{node['kind']}",
        },
    )
    body = etree.SubElement(stimulus, q("qti-stimulus-body"))
    append_html(body, _text(node, "content", language))
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
