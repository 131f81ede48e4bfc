import io
import json
import zipfile

import pytest

from palier.items.models import Item
from palier.items.services import change_status
from tests.factories import make_user
from tests.items.sample import sample_document

pytestmark = pytest.mark.django_db
NEW_ITEM = {
    "code": "API-0001",
    "capacity": "D3.C1.1",
    "level": 2,
    "format": "single_choice",
    "stem": {"fr": "Quel canal choisir ?", "en": "Which channel?"},
    "definition": {
        "options": [
            {"id": "a", "text": {"fr": "MSSanté", "en": "MSSanté"}},
            {"id": "b", "text": {"fr": "SMS", "en": "Text message"}},
        ],
        "correct": "a",
    },
    "feedback": {"fr": "La messagerie sécurisée protège le secret.", "en": "Secure."},
    "source": "Code de la santé publique, art. L1110-4",
}


def post_json(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def upload(client, name, data, **params):
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return client.post(
        f"/api/v1/items/import?{query}",
        {"file": io.BytesIO(data) if isinstance(data, bytes) else data},
        format="multipart",
    )


def test_an_author_creates_an_item_through_the_api(client, framework, author):
    client.force_login(author)
    response = post_json(client, "/api/v1/items", NEW_ITEM)
    assert response.status_code == 201
    assert response.json() == {
        "code": "API-0001",
        "capacity": "D3.C1.1",
        "level": 2,
        "status": "draft",
        "format": "single_choice",
        "version": 1,
        "languages": ["fr", "en"],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"definition": {"options": [], "correct": "a"}}, "definition.options"),
        ({"format": "hotspot"}, "definition.format"),
        ({"capacity": "D9.C9.9"}, "capacity"),
        ({"level": 7}, "level"),
        ({"code": "lower-case"}, "code"),
        ({"stem": {"fr": "<script>x</script>"}}, "stem_fr"),
        ({"stem": {"en": "English only"}}, "stem_fr"),
        ({"source": "x" * 501}, "source"),
        ({"stimulus": "NOPE-01"}, "stimulus"),
    ],
)
def test_invalid_items_get_422_with_the_field_and_nothing_is_stored(
    client, framework, author, changes, field
):
    client.force_login(author)
    response = post_json(client, "/api/v1/items", {**NEW_ITEM, **changes})
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Item.objects.count() == 0


def test_a_duplicate_code_is_a_conflict(client, framework, author):
    client.force_login(author)
    post_json(client, "/api/v1/items", NEW_ITEM)
    response = post_json(client, "/api/v1/items", NEW_ITEM)
    assert response.status_code == 409 and response.json()["error"]["code"] == "duplicate_code"


def test_learners_never_see_bank_items_or_their_keys(client, bank):
    client.force_login(make_user())
    for path in ("/api/v1/items", "/api/v1/items/T-0001", "/api/v1/items/export"):
        response = client.get(path)
        assert response.status_code == 403
        assert b"correct" not in response.content


def test_authors_read_an_item_with_its_key(client, bank, author):
    client.force_login(author)
    body = client.get("/api/v1/items/T-0001").json()
    assert body["definition"]["correct"] == "b" and body["status"] == "draft"
    assert client.get("/api/v1/items/NOPE").status_code == 404


def test_the_list_filters_by_status_and_area(client, bank, author, reviewer):
    change_status(author, bank.get(code="T-0003"), "review")
    client.force_login(reviewer)
    listed = client.get("/api/v1/items?status=review").json()
    assert [item["code"] for item in listed] == ["T-0003"]
    assert len(client.get("/api/v1/items?area=D2").json()) == 7
    assert client.get("/api/v1/items?area=D1").json() == []
    assert client.get("/api/v1/items?limit=0").status_code == 422


def test_workflow_moves_through_the_api(client, bank, author):
    client.force_login(author)
    response = post_json(client, "/api/v1/items/T-0002/status", {"status": "review"})
    assert response.status_code == 200 and response.json()["status"] == "review"
    skipped = post_json(client, "/api/v1/items/T-0002/status", {"status": "operational"})
    assert skipped.status_code == 409
    assert skipped.json()["error"]["code"] == "invalid_transition"
    approved = post_json(client, "/api/v1/items/T-0002/status", {"status": "pretest"})
    assert approved.status_code == 200
    refused = post_json(client, "/api/v1/items/T-0002/status", {"status": "operational"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "permission_denied"
    bad = post_json(client, "/api/v1/items/T-0002/status", {"status": "published"})
    assert bad.status_code == 422


def test_import_with_dry_run_then_for_real(client, framework, author):
    client.force_login(author)
    data = json.dumps(sample_document()).encode()
    dry = upload(client, "bank.json", data, dry_run="true")
    assert dry.status_code == 200 and dry.json()["dry_run"] and Item.objects.count() == 0
    real = upload(client, "bank.json", data)
    assert len(real.json()["created"]) == 7 and Item.objects.count() == 7


def test_a_broken_import_answers_422_and_writes_nothing(client, framework, author):
    client.force_login(author)
    document = sample_document()
    document["items"][0]["definition"]["correct"] = "z"
    response = upload(client, "bank.json", json.dumps(document).encode())
    assert response.status_code == 422
    assert any("T-0001" in message for message in response.json()["error"]["fields"]["file"])
    assert Item.objects.count() == 0
    garbage = upload(client, "bank.zip", b"PK not really", format="qti")
    assert garbage.status_code == 422


def test_exports_in_three_formats(client, bank, author):
    client.force_login(author)
    as_json = client.get("/api/v1/items/export")
    assert len(json.loads(as_json.content)["items"]) == 7
    as_csv = client.get("/api/v1/items/export?format=csv")
    assert as_csv.content.decode("utf-8").startswith("\ufeffcode,")
    as_qti = client.get("/api/v1/items/export?format=qti")
    assert "imsmanifest.xml" in zipfile.ZipFile(io.BytesIO(as_qti.content)).namelist()
