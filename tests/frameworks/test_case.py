import json
import uuid

import pytest
from django.urls import reverse

from palier.frameworks.case import export_case
from palier.frameworks.models import Capacity, Competence
from palier.frameworks.queries import framework_tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def package(framework):
    return export_case(framework_tree(framework.code, framework.version))


def test_the_case_package_has_a_document_items_and_associations(package, framework):
    assert set(package) >= {"CFDocument", "CFItems", "CFAssociations"}
    document = package["CFDocument"]
    for key in ("identifier", "uri", "creator", "title", "lastChangeDateTime", "CFPackageURI"):
        assert document[key], key
    assert document["version"] == framework.version
    expected = 5 + Competence.objects.count() + Capacity.objects.count()
    assert len(package["CFItems"]) == expected
    assert len(package["CFAssociations"]) == expected


def test_every_identifier_is_a_unique_uuid(package):
    identifiers = [package["CFDocument"]["identifier"]]
    identifiers += [item["identifier"] for item in package["CFItems"]]
    identifiers += [association["identifier"] for association in package["CFAssociations"]]
    assert len(set(identifiers)) == len(identifiers)
    for identifier in identifiers:
        uuid.UUID(identifier)


def test_associations_link_each_item_to_its_parent_in_the_tree(package):
    by_id = {item["identifier"]: item for item in package["CFItems"]}
    document_id = package["CFDocument"]["identifier"]
    parents = {}
    for association in package["CFAssociations"]:
        assert association["associationType"] == "isChildOf"
        origin = association["originNodeURI"]["identifier"]
        destination = association["destinationNodeURI"]["identifier"]
        assert origin in by_id
        assert destination in by_id or destination == document_id
        parents[by_id[origin]["humanCodingScheme"]] = (
            by_id[destination]["humanCodingScheme"] if destination in by_id else None
        )
    assert parents["D1"] is None
    assert parents["D1.C1"] == "D1"
    assert parents["D1.C1.1"] == "D1.C1"
    types = {item["humanCodingScheme"]: item["CFItemType"] for item in package["CFItems"]}
    assert (types["D1"], types["D1.C1"], types["D1.C1.1"]) == ("Domaine", "Compétence", "Capacité")


def test_the_same_version_always_exports_the_same_identifiers(package, framework):
    again = export_case(framework_tree(framework.code, framework.version))
    assert [i["identifier"] for i in again["CFItems"]] == [
        i["identifier"] for i in package["CFItems"]
    ]


def test_the_case_file_downloads_as_json(client, framework):
    response = client.get(reverse("frameworks:case", args=[framework.code, framework.version]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["CFDocument"]["title"] == framework.title_fr
