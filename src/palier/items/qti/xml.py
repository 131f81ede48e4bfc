"""The XML side of QTI: namespaces, safe parsing of untrusted files, and HTML <-> QTI body
content. XML is parsed without DTDs, entities or network access; a DOCTYPE is refused
outright."""

from __future__ import annotations

import re
from typing import Any

import lxml.html
from lxml import etree

from palier.items.html import clean_html

QTI = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
# QTI 2.1 and 2.2 items share the camelCase vocabulary the reader knows.
QTI2 = frozenset(
    {"http://www.imsglobal.org/xsd/imsqti_v2p1", "http://www.imsglobal.org/xsd/imsqti_v2p2"}
)
QTI21 = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"
PALIER = "urn:palier:qti-metadata"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MATCH_CORRECT = "https://purl.imsglobal.org/spec/qti/v3p0/rptemplates/match_correct.xml"
MAX_FILE_BYTES = 2 * 1024 * 1024
# Some tools escape their HTML once more than XML needs ("&lt;img ...&gt;", "&amp;rsquo;"):
# a text-only element whose text still holds markup or an entity is read as HTML.
ESCAPED_MARKUP = re.compile(r"<[a-zA-Z/][^>]*>|&(?:[a-zA-Z]+|#[0-9]+|#x[0-9a-fA-F]+);")


class QtiError(ValueError):
    """The package (or one of its items) cannot be read; the message says why and where."""


class PackageLimitError(QtiError):
    """A file of the package breaks the package limits (damaged, or bomb-like): the whole
    package is refused, not only the item."""


def q(tag: str) -> str:
    return f"{{{QTI}}}{tag}"


def localname(element: Any) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def local(root: etree._Element, name: str) -> list[etree._Element]:
    """Every element called `name` under `root`, whatever its namespace."""
    return [node for node in root.iter() if localname(node) == name]


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


# --- HTML -> QTI (export) -----------------------------------------------------------------


def append_html(parent: etree._Element, html: str) -> None:
    """Copy a safe HTML fragment into `parent`, every element in the QTI namespace."""
    if not html.strip():
        return
    for fragment in lxml.html.fragments_fromstring(html):
        if isinstance(fragment, str):
            if len(parent):
                parent[-1].tail = (parent[-1].tail or "") + fragment
            else:
                parent.text = (parent.text or "") + fragment
        else:
            parent.append(_namespaced(fragment))


def _namespaced(element: Any) -> etree._Element:
    copy = etree.Element(q(element.tag), dict(element.attrib.items()))
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        if isinstance(child.tag, str):
            copy.append(_namespaced(child))
    return copy


# --- QTI -> HTML (import) -----------------------------------------------------------------


def raw_html(element: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """The content of a QTI element as plain HTML (namespaces dropped), children whose local
    name is in `skip` left out (their tail text kept). Not cleaned yet."""
    if len(element) == 0 and ESCAPED_MARKUP.search(element.text or ""):
        return element.text or ""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str) or localname(child) in skip:
            parts.append(child.tail or "")
            continue
        plain = _plain_copy(child, skip)
        parts.append(lxml.html.tostring(plain, encoding="unicode"))
    return "".join(parts).strip()


def _plain_copy(element: etree._Element, skip: frozenset[str]) -> etree._Element:
    copy = etree.Element(
        localname(element), {k: v for k, v in element.attrib.items() if "}" not in k}
    )
    copy.text, copy.tail = element.text, element.tail
    for child in element:
        if not isinstance(child.tag, str):
            continue
        if localname(child) in skip:
            if len(copy):
                copy[-1].tail = (copy[-1].tail or "") + (child.tail or "")
            else:
                copy.text = (copy.text or "") + (child.tail or "")
            continue
        copy.append(_plain_copy(child, skip))
    return copy


def inner_html(element: etree._Element) -> str:
    """The children of a QTI element as clean HTML."""
    return clean_html(raw_html(element))
