import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from palier.items.html import clean_html
from palier.items.models import Media
from palier.items.services import ItemError, upload_media
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def image_bytes(image_format: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 78, 137)).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(client, name, data, **fields):
    return client.post(
        "/api/v1/items/media",
        {"file": SimpleUploadedFile(name, data), **fields},
        format="multipart",
    )


def test_an_author_uploads_an_image_and_gets_a_snippet_the_sanitiser_accepts(client, author):
    client.force_login(author)
    response = upload(client, "ecran.png", image_bytes(), alt_fr="Écran de connexion")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["width"], body["height"]) == (40, 30)
    assert body["url"].startswith("/media/items/")
    assert clean_html(f"<p>Voir :</p>{body['snippet']}").endswith('alt="Écran de connexion">')


@pytest.mark.parametrize(
    ("name", "data", "fields", "field"),
    [
        ("ecran.png", image_bytes(), {"alt_fr": "  "}, "alt_fr"),
        ("ecran.png", b"not an image at all", {"alt_fr": "x"}, "file"),
        ("ecran.svg", b"<svg onload='alert(1)'/>", {"alt_fr": "x"}, "file"),
        ("ecran.png", image_bytes("JPEG"), {"alt_fr": "x"}, "file"),
        ("ecran.png", image_bytes(size=(4100, 10)), {"alt_fr": "x"}, "file"),
        ("ecran.png", image_bytes(), {"alt_fr": "x" * 301}, "alt_fr"),
    ],
    ids=["no-alt", "not-an-image", "svg", "wrong-extension", "too-wide", "alt-too-long"],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(client, author, name, data, fields, field):
    client.force_login(author)
    response = upload(client, name, data, **fields)
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert Media.objects.count() == 0


def test_files_over_two_megabytes_are_refused(author):
    big = SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 1))
    with pytest.raises(ItemError):
        upload_media(author, big, "alt")
    assert Media.objects.count() == 0


def test_learners_cannot_upload(client):
    client.force_login(make_user())
    response = upload(client, "ecran.png", image_bytes(), alt_fr="x")
    assert response.status_code == 403
