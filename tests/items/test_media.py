import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from palier.items.errors import ItemError
from palier.items.html import clean_html
from palier.items.media import MAX_MEDIA_BYTES
from palier.items.models import Media
from palier.items.services import upload_media
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


def bomb_png(side: int) -> bytes:
    """A one-bit PNG of side x side pixels: a few kilobytes that decode to side² pixels."""
    buffer = io.BytesIO()
    Image.new("1", (side, side)).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "side",
    [10_000, 20_000],
    ids=["over-pillow-warning-limit", "over-pillow-error-limit"],
)
def test_decompression_bombs_are_refused_with_a_422(client, author, side):
    data = bomb_png(side)
    assert len(data) < MAX_MEDIA_BYTES
    client.force_login(author)
    response = upload(client, "bombe.png", data, alt_fr="x")
    assert response.status_code == 422, response.content
    assert "file" in response.json()["error"]["fields"]
    assert Media.objects.count() == 0


def test_pillow_bomb_errors_are_refused_even_below_our_side_limit(author, monkeypatch):
    """Pillow's bomb check (its pixel limit, lowered here) is a refusal, not a crash."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 100)
    small = SimpleUploadedFile("petit.png", image_bytes(size=(40, 30)))
    with pytest.raises(ItemError) as refused:
        upload_media(author, small, "alt")
    assert "file" in refused.value.fields
    assert Media.objects.count() == 0


def test_the_image_library_page_refuses_a_bomb_with_a_form_error(client, author):
    client.force_login(author)
    response = client.post(
        reverse("authoring:items_media_add"),
        {"file": SimpleUploadedFile("bombe.png", bomb_png(20_000)), "alt_fr": "x"},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["file"]
    assert Media.objects.count() == 0
