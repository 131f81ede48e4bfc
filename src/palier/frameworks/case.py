"""Export a framework version as an IMS CASE 1.0 package (CFDocument, CFItems, CFAssociations).

Identifiers are UUIDv5 derived from the framework code, version and node code, so the same
version always exports the same identifiers (other systems can link to them). Reference:
IMS Global, Competencies and Academic Standards Exchange (CASE) 1.0, JSON binding.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from palier.frameworks.models import Framework

CASE_NAMESPACE = uuid.UUID("6f1d3d0c-0b6e-4d59-9a52-6b1f3f0b7a11")
CREATOR = "Palier"
ITEM_TYPES = {"area": "Domaine", "competence": "Compétence", "capacity": "Capacité"}


def case_identifier(framework: Framework, node_code: str = "") -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, f"{framework.code}/{framework.version}/{node_code}"))


def _timestamp(framework: Framework) -> str:
    return framework.updated_at.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def export_case(framework: Framework) -> dict[str, Any]:
    """The CASE package of `framework` (expects areas/competences/capacities prefetched)."""
    with translation.override("fr"):
        page = reverse("frameworks:detail", args=[framework.code, framework.version])
    document_uri = f"{settings.BASE_URL}{page}"
    changed = _timestamp(framework)
    document_id = case_identifier(framework)
    document_ref = {"title": framework.title_fr, "identifier": document_id, "uri": document_uri}
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []

    def add_item(
        code: str, kind: str, statement: str, notes: str, parent: dict | None, sequence: int
    ) -> dict[str, str]:
        identifier = case_identifier(framework, code)
        ref = {"title": statement, "identifier": identifier, "uri": f"{document_uri}#{code}"}
        items.append(
            {
                "identifier": identifier,
                "uri": ref["uri"],
                "CFDocumentURI": document_ref,
                "fullStatement": statement,
                "humanCodingScheme": code,
                "notes": notes,
                "CFItemType": ITEM_TYPES[kind],
                "language": "fr",
                "listEnumeration": str(sequence),
                "lastChangeDateTime": changed,
            }
        )
        destination = parent or document_ref
        associations.append(
            {
                "identifier": case_identifier(framework, f"{code}>isChildOf"),
                "uri": f"{document_uri}#{code}-parent",
                "associationType": "isChildOf",
                "sequenceNumber": sequence,
                "originNodeURI": ref,
                "destinationNodeURI": destination,
                "CFDocumentURI": document_ref,
                "lastChangeDateTime": changed,
            }
        )
        return ref

    for area in framework.areas.all():
        area_ref = add_item(
            area.code, "area", area.title_fr, area.description_fr, None, area.number
        )
        for competence in area.competences.all():
            competence_ref = add_item(
                competence.code,
                "competence",
                competence.title_fr,
                competence.description_fr,
                area_ref,
                competence.position,
            )
            for capacity in competence.capacities.all():
                add_item(
                    capacity.code,
                    "capacity",
                    capacity.title_fr,
                    capacity.description_fr,
                    competence_ref,
                    capacity.position,
                )

    return {
        "CFDocument": {
            "identifier": document_id,
            "uri": document_uri,
            "creator": CREATOR,
            "title": framework.title_fr,
            "description": framework.description_fr,
            "version": framework.version,
            "language": "fr",
            "adoptionStatus": "Adopted" if framework.published_at else "Draft",
            "lastChangeDateTime": changed,
            "notes": framework.source,
            "CFPackageURI": document_ref,
        },
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFItemTypes": [
                {
                    "identifier": case_identifier(framework, f"type:{kind}"),
                    "uri": f"{document_uri}#type-{kind}",
                    "title": title,
                    "description": title,
                    "hierarchyCode": str(depth),
                    "lastChangeDateTime": changed,
                }
                for depth, (kind, title) in enumerate(ITEM_TYPES.items(), start=1)
            ]
        },
    }
