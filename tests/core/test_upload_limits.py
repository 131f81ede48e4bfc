"""Malformed or oversized request bodies get the API's JSON error shape with a 4xx (never a
500, never Django's HTML 400 page under /api/), and pages answer 400 without a crash."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from palier.accounts.roles import Role
from palier.core.uploads import MAX_JSON_DEPTH, UploadLimitError, json_depth, load_json
from palier.items.models import Item, Media
from tests.factories import make_user

pytestmark = pytest.mark.django_db
MEDIA_URL = "/api/v1/items/media"
BOUNDARY = "palier-test-boundary"


@pytest.fixture
def author(db):
    return make_user("auteur@example.org", roles=(Role.AUTHOR,))


def multipart(*parts: tuple[str, str, bytes], close: bool = True) -> bytes:
    """A multipart body of (field name, file name or "", content) parts."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(
            f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
            + content
            + b"\r\n"
        )
    if close:
        chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def post_raw(client: Client, body: bytes, content_type: str, path: str = MEDIA_URL):
    return client.generic("POST", path, body, content_type=content_type)


def assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", multipart(("alt_fr", "", b"x"))),
        ("multipart/form-data; boundary=", multipart(("alt_fr", "", b"x"))),
        ("multipart/form-data; boundary=\u00e9\u00e9", multipart(("alt_fr", "", b"x"))),
    ],
    ids=["no-boundary", "empty-boundary", "non-ascii-boundary"],
)
def test_a_multipart_body_with_a_bad_boundary_is_a_json_400(client, author, content_type, body):
    client.force_login(author)
    assert_error_shape(post_raw(client, body, content_type), 400, "malformed_body")
    assert Media.objects.count() == 0


def test_a_truncated_multipart_body_is_a_json_400(client, author):
    client.force_login(author)
    whole = multipart(("alt_fr", "", b"x"), ("file", "a.png", b"\x89PNG" + b"0" * 5000))
    response = post_raw(client, whole[:-2000], f"multipart/form-data; boundary={BOUNDARY}")
    assert 400 <= response.status_code < 500
    assert "error" in response.json()
    assert Media.objects.count() == 0


def test_too_many_fields_is_a_json_400(client, author, settings):
    client.force_login(author)
    parts = [
        (f"field{number}", "", b"x") for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)
    ]
    response = post_raw(client, multipart(*parts), f"multipart/form-data; boundary={BOUNDARY}")
    assert_error_shape(response, 400, "too_many_fields")


def test_too_many_files_is_a_json_400(client, author, settings):
    client.force_login(author)
    parts = [
        ("file", f"f{number}.png", b"x")
        for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
    ]
    response = post_raw(client, multipart(*parts), f"multipart/form-data; boundary={BOUNDARY}")
    assert_error_shape(response, 400, "too_many_fields")


def test_a_body_over_the_upload_limit_is_a_json_413(client, author, settings):
    client.force_login(author)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"code": "API-0001", "stem": {"fr": "x" * 20_000}}).encode()
    assert_error_shape(
        post_raw(client, body, "application/json", "/api/v1/items"), 413, "payload_too_large"
    )
    assert Item.objects.count() == 0


def test_a_malformed_body_is_a_json_400_under_real_csrf_checks_too(author):
    """The CSRF check reads the form body for its token before the operation runs."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    token = "a" * 32
    client.cookies["csrftoken"] = token
    response = client.generic(
        "POST",
        MEDIA_URL,
        multipart(("alt_fr", "", b"x")),
        content_type="multipart/form-data",
        HTTP_X_CSRFTOKEN=token,
    )
    assert_error_shape(response, 400, "malformed_body")


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 200_000])
def test_a_json_body_nested_too_deep_is_a_json_400(client, author, depth):
    client.force_login(author)
    definition = "[" * depth + "]" * depth
    fields = '"code": "API-0001", "capacity": "D3.C1.1", "level": 2, "format": "single_choice"'
    body = f'{{{fields}, "stem": {{"fr": "x"}}, "definition": {{"options": {definition}}}}}'
    response = post_raw(client, body.encode(), "application/json", "/api/v1/items")
    assert_error_shape(response, 400, "bad_request")
    assert Item.objects.count() == 0


def test_json_depth_is_measured_without_recursion():
    deep: list = []
    node = deep
    for _level in range(100_000):
        node.append([])
        node = node[0]
    assert json_depth(deep) == 100_001
    assert json_depth({"a": [1, {"b": 2}]}) == 3 and json_depth(5) == 0


def test_load_json_refuses_deep_texts_and_reads_the_others():
    assert load_json('{"a": [1, 2]}') == {"a": [1, 2]}
    with pytest.raises(UploadLimitError):
        load_json("[" * 10 + "]" * 10, max_depth=9)
    with pytest.raises(UploadLimitError):
        load_json("[" * 1_000_000 + "]" * 1_000_000)
    with pytest.raises(json.JSONDecodeError):
        load_json("[1,")
