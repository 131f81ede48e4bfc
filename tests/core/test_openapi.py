import pytest

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_is_served():
    from django.test import Client

    schema = Client().get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "Palier API"
    assert "/api/v1/frameworks" in schema["paths"]


def test_every_operation_declares_its_4xx_answers_including_422(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "422" in codes, f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}"
            if operation.get("security"):
                assert {"401", "403"} <= codes, f"{method} {path}"
            for code in (code for code in codes if code.startswith("4")):
                reference = operation["responses"][code]["content"]["application/json"]
                assert reference["schema"]["$ref"].endswith("/ErrorOut")


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI schema names its components after the classes: two classes of one name in
    two apps would document one of them with the other's fields."""
    import re
    from collections import Counter
    from pathlib import Path

    sources = Path(__file__).resolve().parents[2] / "src" / "palier"
    declared = Counter(
        name
        for path in sources.rglob("*.py")
        for name in re.findall(r"^class (\w+)\((?:Schema|ModelSchema)\)", path.read_text(), re.M)
    )
    assert [name for name, count in declared.items() if count > 1] == []
