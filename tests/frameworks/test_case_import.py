"""Importing IMS CASE 1.0 packages: Palier's own export back, another tool's package, and
packages that must be refused without changing anything."""

from __future__ import annotations

import copy
import json
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from palier.core.errors import ServiceError
from palier.frameworks.case import export_case
from palier.frameworks.case_import import CaseImportError, read_case_package
from palier.frameworks.models import Area, Capacity, Competence, Framework
from palier.frameworks.queries import framework_tree
from palier.frameworks.services import import_case_framework

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures" / "case"


def tree(framework: Framework) -> list[tuple]:
    """The framework's content as comparable tuples, in order."""
    return [
        (
            area.number,
            area.code,
            area.title_fr,
            area.description_fr,
            [
                (
                    competence.code,
                    competence.title_fr,
                    competence.description_fr,
                    [(c.code, c.title_fr, c.description_fr) for c in competence.capacities.all()],
                )
                for competence in area.competences.all()
            ],
        )
        for area in framework.areas.prefetch_related("competences__capacities")
    ]


@pytest.fixture
def package(framework) -> dict:
    return export_case(framework_tree(framework.code, framework.version))


def as_bytes(package: dict) -> bytes:
    return json.dumps(package).encode()


def test_palier_s_own_export_comes_back_identical(framework, package):
    case = read_case_package(as_bytes(package))
    copied = import_case_framework(case, "copie", "1.0")
    assert copied.status == Framework.Status.DRAFT
    assert (copied.title_fr, copied.description_fr) == (
        framework.title_fr,
        framework.description_fr,
    )
    assert tree(copied) == tree(framework)
    assert case.generated_codes == 0
    # Exported again, the copy has the same structure (identifiers follow the code).
    again = export_case(copied)
    assert len(again["CFItems"]) == len(package["CFItems"])


def test_a_package_written_by_opensalt_imports_with_codes_made_from_positions():
    data = (FIXTURES / "opensalt-smartlevel.json").read_bytes()
    case = read_case_package(data)
    framework = import_case_framework(case, "smartlevel", "2017")
    areas = list(framework.areas.order_by("number"))
    assert [(a.code, a.title_fr) for a in areas] == [("1", "Item 1"), ("2", "Item 2")]
    first = list(areas[0].competences.order_by("position"))
    assert [c.title_fr for c in first] == [f"Item 1.{n}" for n in range(1, 11)]
    assert [c.code for c in first][:3] == ["1.1", "1.2", "1.3"]
    assert [c.title_fr for c in areas[1].competences.order_by("position")] == [
        "Item 2.1",
        "Item 2.2",
    ]
    assert Capacity.objects.filter(competence__area__framework=framework).count() == 0
    assert case.generated_codes == 14


def _broken(package: dict, how: str) -> dict:
    broken = copy.deepcopy(package)
    items, associations = broken["CFItems"], broken["CFAssociations"]
    if how == "identifier":
        items[0]["identifier"] = "not-a-uuid"
    elif how == "duplicate":
        items[1]["identifier"] = items[0]["identifier"]
    elif how == "orphan":
        broken["CFAssociations"] = [
            a for a in associations if a["originNodeURI"]["identifier"] != items[3]["identifier"]
        ]
    elif how == "two parents":
        extra = copy.deepcopy(associations[5])
        extra["destinationNodeURI"] = copy.deepcopy(associations[0]["originNodeURI"])
        associations.append(extra)
    elif how == "unknown parent":
        associations[4]["destinationNodeURI"]["identifier"] = str(uuid.uuid4())
    elif how == "too deep":
        deepest = next(i for i in items if i["CFItemType"] == "Capacité")
        child = {
            **copy.deepcopy(deepest),
            "identifier": str(uuid.uuid4()),
            "humanCodingScheme": "X",
        }
        items.append(child)
        associations.append(
            {
                "identifier": str(uuid.uuid4()),
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": child["identifier"]},
                "destinationNodeURI": {"identifier": deepest["identifier"]},
            }
        )
    elif how == "cycle":
        a, b = str(uuid.uuid4()), str(uuid.uuid4())
        items += [{"identifier": a, "fullStatement": "A"}, {"identifier": b, "fullStatement": "B"}]
        associations += [
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": a},
                "destinationNodeURI": {"identifier": b},
            },
            {
                "associationType": "isChildOf",
                "originNodeURI": {"identifier": b},
                "destinationNodeURI": {"identifier": a},
            },
        ]
    elif how == "empty statement":
        items[2]["fullStatement"] = "  "
    return broken


@pytest.mark.parametrize(
    "how",
    [
        "identifier",
        "duplicate",
        "orphan",
        "two parents",
        "unknown parent",
        "too deep",
        "cycle",
        "empty statement",
    ],
)
def test_a_broken_package_is_refused_with_its_errors(package, how):
    with pytest.raises(CaseImportError) as refused:
        read_case_package(as_bytes(_broken(package, how)))
    assert refused.value.status == 422
    assert refused.value.errors


@pytest.mark.parametrize(
    "data",
    [b"", b"\xff\xfe", b"[1, 2]", b'{"CFItems": []}', b'{"CFDocument": {"identifier": "x"}}'],
)
def test_what_is_not_a_case_package_is_refused(data):
    with pytest.raises(CaseImportError):
        read_case_package(data)


def test_other_association_types_are_counted_and_left_out(package):
    extra = copy.deepcopy(package["CFAssociations"][3])
    extra["associationType"] = "isRelatedTo"
    package["CFAssociations"].append(extra)
    assert read_case_package(as_bytes(package)).other_associations == 1


def test_an_existing_version_or_a_bad_code_is_refused_and_nothing_is_written(framework, package):
    case = read_case_package(as_bytes(package))
    before = (Framework.objects.count(), Area.objects.count(), Competence.objects.count())
    with pytest.raises(ServiceError) as exists:
        import_case_framework(case, framework.code, framework.version)
    assert exists.value.status == 409
    with pytest.raises(ServiceError) as invalid:
        import_case_framework(case, "bad code!", "1")
    assert invalid.value.status == 422
    assert (Framework.objects.count(), Area.objects.count(), Competence.objects.count()) == before


def test_the_command_checks_in_a_dry_run_then_imports(tmp_path, package):
    path = tmp_path / "package.json"
    path.write_bytes(as_bytes(package))
    out = StringIO()
    call_command("case_import", str(path), "--code", "essai", "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue()
    assert not Framework.objects.filter(code="essai").exists()
    call_command("case_import", str(path), "--code", "essai", stdout=StringIO())
    assert Framework.objects.filter(code="essai", version=package["CFDocument"]["version"]).exists()


def test_the_command_refuses_a_broken_package_with_its_reasons(tmp_path, package):
    path = tmp_path / "package.json"
    path.write_bytes(as_bytes(_broken(package, "too deep")))
    with pytest.raises(CommandError, match="trois niveaux"):
        call_command("case_import", str(path), "--code", "essai", stdout=StringIO())
    with pytest.raises(CommandError, match="No such file"):
        call_command("case_import", str(tmp_path / "absent.json"), "--code", "x")
    assert not Framework.objects.filter(code="essai").exists()
