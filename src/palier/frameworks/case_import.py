"""Reading an IMS CASE 1.0 package (JSON) as a Palier framework tree; writes nothing.

`read_case_package` checks the whole package and gives a `CaseFramework` (areas, their
competences and capacities, in order), or raises CaseImportError listing every problem.
`frameworks.services.import_case_framework` writes it as a new draft version, all or nothing.

Palier's frameworks have three levels (area, competence, capacity): the package's tree of
`isChildOf` associations from the document down gives them, and a deeper tree is refused.
Associations of other types (isRelatedTo, exactMatchOf…) are counted and left out. Codes come
from `humanCodingScheme` when they fit Palier's codes, otherwise they are made from the
position ("1", "1.2", "1.2.3"). Reference: IMS Global, CASE 1.0 (2017), JSON binding.
"""

from __future__ import annotations

import json
import math
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from palier.core.errors import ServiceError
from palier.frameworks.models import TITLE_MAX_LENGTH, code_validator

MAX_PACKAGE_BYTES = 10 * 1024 * 1024
MAX_NODES = 5000
DEPTH_NAMES = ("area", "competence", "capacity")
# Code lengths of Area, Competence and Capacity.
CODE_MAX_LENGTHS = {"area": 16, "competence": 24, "capacity": 32}
# Past this many errors the report stops listing them (the count is still given).
MAX_LISTED_ERRORS = 100


class CaseImportError(ServiceError):
    """A package refused, with every problem found (`errors`, also under fields["file"])."""

    def __init__(self, errors: list[str]) -> None:
        listed = errors[:MAX_LISTED_ERRORS]
        if len(errors) > MAX_LISTED_ERRORS:
            listed.append(
                _("… et %(count)d autres erreurs.") % {"count": len(errors) - MAX_LISTED_ERRORS}
            )
        message = ngettext(
            "Le paquet CASE n'a pas été importé (%(count)d erreur) : rien n'a changé.",
            "Le paquet CASE n'a pas été importé (%(count)d erreurs) : rien n'a changé.",
            len(errors),
        ) % {"count": len(errors)}
        super().__init__(422, "invalid_case_package", message, {"file": listed})
        self.errors = listed


@dataclass
class CaseNode:
    """One CFItem placed in Palier's tree: an area, a competence or a capacity."""

    identifier: str
    kind: str
    code: str
    position: int
    title: str
    description: str
    children: list[CaseNode] = field(default_factory=list)


@dataclass
class CaseFramework:
    """What an import would create: the document's texts and its tree."""

    identifier: str
    title: str
    description: str
    version: str
    language: str
    source: str
    areas: list[CaseNode]
    other_associations: int = 0
    generated_codes: int = 0

    def count(self, kind: str) -> int:
        def walk(nodes: list[CaseNode]) -> int:
            return sum((node.kind == kind) + walk(node.children) for node in nodes)

        return walk(self.areas)


def read_case_package(data: bytes) -> CaseFramework:
    """The framework of a CASE 1.0 JSON package, checked; CaseImportError otherwise."""
    if len(data) > MAX_PACKAGE_BYTES:
        raise CaseImportError([_("Le paquet dépasse 10 Mio.")])
    try:
        package = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CaseImportError(
            [_("Ce n'est pas un fichier JSON lisible : %(error)s") % {"error": error}]
        ) from error
    if not isinstance(package, dict) or not isinstance(package.get("CFDocument"), dict):
        raise CaseImportError([_("Aucun « CFDocument » : ce n'est pas un paquet CASE 1.0.")])
    errors: list[str] = []
    document = package["CFDocument"]
    document_id = _identifier(document, "CFDocument", errors)
    items = _list(package, "CFItems", errors)
    associations = _list(package, "CFAssociations", errors)
    if len(items) > MAX_NODES:
        raise CaseImportError(
            [_("Plus de %(max)d éléments : trop pour un référentiel.") % {"max": MAX_NODES}]
        )
    by_id: dict[str, dict[str, Any]] = {}
    for number, item in enumerate(items, start=1):
        where = _("CFItems n° %(n)d") % {"n": number}
        identifier = _identifier(item, where, errors)
        if identifier in by_id:
            errors.append(
                _("%(where)s : identifiant en double %(id)s") % {"where": where, "id": identifier}
            )
        elif identifier:
            by_id[identifier] = item
            if not _text(item.get("fullStatement")):
                errors.append(_("%(where)s : « fullStatement » vide") % {"where": where})
    children, other = _tree(associations, document_id, by_id, errors)
    areas = _place(document_id, children, by_id, errors) if not errors else []
    if errors:
        raise CaseImportError(errors)
    title = _text(document.get("title"))
    if not title:
        raise CaseImportError([_("Le CFDocument n'a pas de titre.")])
    framework = CaseFramework(
        identifier=document_id,
        title=title[:TITLE_MAX_LENGTH],
        description=_text(document.get("description")),
        version=_text(document.get("version")),
        language=_text(document.get("language")),
        source=_text(document.get("officialSourceURL")) or _text(document.get("notes")),
        areas=areas,
        other_associations=other,
    )
    framework.generated_codes = _assign_codes(framework.areas, "")
    return framework


def _list(package: dict[str, Any], key: str, errors: list[str]) -> list[dict[str, Any]]:
    value = package.get(key, [])
    if not isinstance(value, list) or not all(isinstance(entry, dict) for entry in value):
        errors.append(_("« %(key)s » doit être une liste d'objets.") % {"key": key})
        return []
    return value


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _identifier(entry: dict[str, Any], where: str, errors: list[str]) -> str:
    """The entry's identifier, lower-cased; CASE 1.0 identifiers are UUIDs."""
    text = _text(entry.get("identifier"))
    try:
        return str(uuid.UUID(text))
    except ValueError:
        errors.append(
            _("%(where)s : identifiant absent ou qui n'est pas un UUID (« %(id)s »)")
            % {"where": where, "id": text[:80]}
        )
        return ""


def _node_id(reference: object) -> str:
    text = _text(reference.get("identifier")) if isinstance(reference, dict) else ""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return ""


def _tree(
    associations: list[dict[str, Any]],
    document_id: str,
    by_id: dict[str, dict[str, Any]],
    errors: list[str],
) -> tuple[dict[str, list[tuple[float, str]]], int]:
    """Children of each node (the document or an item) as (sequence, identifier) from the
    `isChildOf` associations; the number of associations of other types."""
    children: dict[str, list[tuple[float, str]]] = defaultdict(list)
    parent_of: dict[str, str] = {}
    other = 0
    for number, association in enumerate(associations, start=1):
        if association.get("associationType") != "isChildOf":
            other += 1
            continue
        where = _("CFAssociations n° %(n)d") % {"n": number}
        origin = _node_id(association.get("originNodeURI"))
        destination = _node_id(association.get("destinationNodeURI"))
        if origin not in by_id:
            errors.append(
                _("%(where)s : l'élément enfant n'est pas dans le paquet") % {"where": where}
            )
        elif destination != document_id and destination not in by_id:
            errors.append(
                _("%(where)s : le parent n'est ni le document ni un de ses éléments")
                % {"where": where}
            )
        elif origin in parent_of and parent_of[origin] != destination:
            errors.append(
                _("%(where)s : « %(code)s » a deux parents ; un référentiel Palier est un arbre")
                % {"where": where, "code": _label(by_id[origin])}
            )
        elif origin not in parent_of:
            parent_of[origin] = destination
            sequence = association.get("sequenceNumber")
            finite = isinstance(sequence, int | float) and math.isfinite(sequence)
            order = float(sequence) if finite else float("inf")
            children[destination].append((order, origin))
    for identifier, item in by_id.items():
        if identifier not in parent_of:
            errors.append(
                _("« %(code)s » n'est rattaché à rien (aucune association isChildOf)")
                % {"code": _label(item)}
            )
    return children, other


def _label(item: dict[str, Any]) -> str:
    return _text(item.get("humanCodingScheme")) or _text(item.get("fullStatement"))[:60]


def _place(
    document_id: str,
    children: dict[str, list[tuple[float, str]]],
    by_id: dict[str, dict[str, Any]],
    errors: list[str],
) -> list[CaseNode]:
    """The tree from the document down, three levels at most; items never reached (a
    cycle) and deeper items are errors."""
    reached: set[str] = set()
    package_order = {identifier: index for index, identifier in enumerate(by_id)}

    def below(parent: str) -> None:
        for _sequence, identifier in children.get(parent, []):
            if identifier not in reached:
                reached.add(identifier)
                below(identifier)

    def build(parent: str, depth: int) -> list[CaseNode]:
        nodes = []
        ordered = sorted(
            children.get(parent, []),
            key=lambda pair: (pair[0], _enumeration(by_id[pair[1]]), package_order[pair[1]]),
        )
        for position, (_sequence, identifier) in enumerate(ordered, start=1):
            item = by_id[identifier]
            reached.add(identifier)
            if depth >= len(DEPTH_NAMES):
                errors.append(
                    _(
                        "« %(code)s » est au niveau %(depth)d : un référentiel Palier a "
                        "trois niveaux (domaine, compétence, capacité)."
                    )
                    % {"code": _label(item), "depth": depth + 1}
                )
                below(identifier)  # reported once, at the first level too deep
                continue
            node = CaseNode(
                identifier=identifier,
                kind=DEPTH_NAMES[depth],
                code=_text(item.get("humanCodingScheme")),
                position=position,
                title=_title(item),
                description=_description(item),
            )
            node.children = build(identifier, depth + 1)
            nodes.append(node)
        return nodes

    areas = build(document_id, 0)
    for identifier, item in by_id.items():
        if identifier not in reached:
            errors.append(
                _("« %(code)s » n'est pas relié au document (boucle d'associations)")
                % {"code": _label(item)}
            )
    return areas


def _enumeration(item: dict[str, Any]) -> float:
    """The item's `listEnumeration` as a number for ordering siblings (none: last)."""
    try:
        value = float(_text(item.get("listEnumeration")))
    except ValueError:
        return float("inf")
    return value if math.isfinite(value) else float("inf")


def _title(item: dict[str, Any]) -> str:
    statement = _text(item.get("fullStatement"))
    if len(statement) <= TITLE_MAX_LENGTH:
        return statement
    short = _text(item.get("abbreviatedStatement"))
    if short and len(short) <= TITLE_MAX_LENGTH:
        return short
    return statement[: TITLE_MAX_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _description(item: dict[str, Any]) -> str:
    statement = _text(item.get("fullStatement"))
    notes = _text(item.get("notes"))
    if len(statement) > TITLE_MAX_LENGTH:
        return "\n\n".join(text for text in (statement, notes) if text)
    return notes


def _assign_codes(nodes: list[CaseNode], prefix: str) -> int:
    """Keep each node's code when it is a valid, unique Palier code of the right length;
    otherwise make one from the positions. The number of codes made."""
    made = 0
    seen: set[str] = set()
    for node in nodes:
        if not _valid_code(node.code, node.kind) or node.code in seen:
            node.code = f"{prefix}{node.position}"
            while node.code in seen:
                node.code += "b"
            made += 1
        seen.add(node.code)
        made += _assign_codes(node.children, f"{node.code}.")
    return made


def _valid_code(code: str, kind: str) -> bool:
    if not code or len(code) > CODE_MAX_LENGTHS[kind]:
        return False
    try:
        code_validator(code)
    except ValidationError:
        return False
    return True
