"""Classic XSS payloads sent through every way item content gets in: what is stored and
what learners are served carry no active content (one sanitiser, in the item services)."""

import io
import json
import re
import zipfile

import pytest
from django.urls import reverse

from palier.items.bank_io import export_document
from palier.items.csv_io import export_csv
from palier.items.models import Item, ItemVersion, StimulusVersion
from palier.items.qti import export_package
from palier.items.rendering import learner_view
from tests.items.sample import sample_document
from tests.items.test_authoring_pages import form_data

pytestmark = pytest.mark.django_db

PAYLOADS = [
    "<svg/onload=alert(1)>",
    "<img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>d</details>",
    "<style>body{display:none}</style>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">j</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="d">',
    '<img src="https://evil.example/pixel.png" alt="p">',
    '<a href="//evil.example">p</a>',
    '<iframe src="https://evil.example"></iframe>',
    '<object data="https://evil.example/x.swf"></object>',
    '<form action="https://evil.example"><input name=q></form>',
    '<svg><use href="data:image/svg+xml,x#y"/></svg>',
    '<a href="&#106;avascript:alert(1)">e</a>',
    "<scr<script>ipt>alert(1)</script>",
    '<p style="background:url(https://evil.example)">s</p>',
    "<<img src=x onerror=alert(1)//",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<img src="/media/items/../../x" srcset="https://evil.example/a.png 2x" alt="t">',
    "<!--<img src=x onerror=alert(1)>-->",
    '<body onload="alert(1)">',
]
PAYLOAD = "".join(PAYLOADS)
MARK = "Texte sûr"
# Anything that could run, style the page, leave it or fetch from elsewhere.
ACTIVE = re.compile(
    r"<\s*/?\s*(script|style|svg|math|iframe|object|embed|form|details|use|a|link|meta|base|body)\b"
    r"|\son[a-z]+\s*=|/on[a-z]+\s*=|javascript:|data:|evil\.example|srcset|\sstyle\s*=|<!--",
    re.IGNORECASE,
)


def dirty(text: str) -> str:
    return f"<p>{MARK}</p>{PAYLOAD}"


def assert_inert(text: str) -> None:
    found = ACTIVE.search(text)
    assert found is None, f"active content {found.group(0)!r} in {text[:300]!r}"


def stored_texts() -> list[str]:
    texts = []
    for version in ItemVersion.objects.all():
        texts += [version.stem_fr, version.stem_en, version.feedback_fr, version.feedback_en]
        texts.append(json.dumps(version.definition, ensure_ascii=False))
    for version in StimulusVersion.objects.all():
        texts += [version.title_fr, version.title_en, version.content_fr, version.content_en]
    return texts


def assert_stored_clean_and_kept() -> None:
    texts = stored_texts()
    for text in texts:
        assert_inert(text)
    assert any(MARK in text for text in texts), "the content was refused instead of cleaned"


def assert_served_clean(client, code: str) -> None:
    """The learner's page (the preview renders the learner template), the learner view as
    the delivery API serves it, and the authoring API's item."""
    item = Item.objects.get(code=code)
    page = client.get(reverse("authoring:items_item_preview", args=[item.pk]))
    assert page.status_code == 200
    article = re.search(r'<article class="question".*?</article>', page.content.decode(), re.S)
    assert article is not None
    assert_inert(article.group(0).replace("<form", "").replace("<input", ""))
    assert MARK in article.group(0)
    assert_inert(json.dumps(learner_view(item.latest_version(), 0, "fr").as_dict()))
    assert_inert(client.get(f"/api/v1/items/{code}").content.decode())


def dirty_node(node: dict) -> dict:
    node = json.loads(json.dumps(node))
    node["stem"] = {"fr": dirty("stem"), "en": dirty("stem")}
    node["feedback"] = {"fr": dirty("feedback"), "en": dirty("feedback")}
    # Option texts are short (500 characters): each carries a few payloads, in turn.
    options = [o for key in ("options", "left", "right") for o in node["definition"].get(key, [])]
    for index, option in enumerate(options):
        extra = "".join(PAYLOADS[(index * 4 + k) % len(PAYLOADS)] for k in range(4))
        option["text"] = {language: text + extra for language, text in option["text"].items()}
    return node


def dirty_document() -> dict:
    document = sample_document()
    document["items"] = [dirty_node(node) for node in document["items"]]
    for stimulus in document["stimuli"]:
        stimulus["content"] = {"fr": dirty("stimulus"), "en": dirty("stimulus")}
    return document


def upload(client, data: bytes, kind: str):
    return client.post(
        f"/api/v1/items/import?format={kind}", {"file": io.BytesIO(data)}, format="multipart"
    )


@pytest.fixture
def signed_in(client, author):
    client.force_login(author)
    return client


def test_the_authoring_item_form_stores_and_serves_sanitised_content(signed_in, bank):
    item = bank.get(code="T-0001")
    version = item.latest_version()
    definition = dirty_node({"definition": version.definition, "stem": {}, "feedback": {}})
    data = form_data(
        item,
        stem_fr=dirty("stem"),
        stem_en=dirty("stem"),
        feedback_fr=dirty("feedback"),
        feedback_en=dirty("feedback"),
        definition=json.dumps(definition["definition"]),
    )
    response = signed_in.post(reverse("authoring:items_item_change", args=[item.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MARK in item.latest_version().stem_fr
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, "T-0001")


def test_the_authoring_stimulus_form_stores_and_serves_sanitised_content(signed_in, bank):
    stimulus = bank.get(code="T-0001").latest_version().stimulus
    data = {
        "kind": stimulus.kind,
        "title_fr": "Un courriel",
        "title_en": "An e-mail",
        "content_fr": dirty("stimulus"),
        "content_en": dirty("stimulus"),
        "versions-TOTAL_FORMS": "0",
        "versions-INITIAL_FORMS": "0",
    }
    url = reverse("authoring:items_stimulus_change", args=[stimulus.pk])
    response = signed_in.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert MARK in stimulus.latest_version().content_fr
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, "T-0001")


def test_the_api_post_stores_and_serves_sanitised_content(signed_in, bank):
    node = dirty_node(sample_document()["items"][0]) | {"code": "API-XSS-1", "stimulus": None}
    body = {
        "code": node["code"],
        "capacity": node["capacity"],
        "level": node["level"],
        "format": node["format"],
        "stem": node["stem"],
        "definition": node["definition"],
        "feedback": node["feedback"],
        "source": node["source"],
    }
    response = signed_in.post("/api/v1/items", json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.json()
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, "API-XSS-1")


def test_the_api_patch_stores_and_serves_sanitised_content(signed_in, bank):
    node = dirty_node(sample_document()["items"][1])
    body = {
        "format": node["format"],
        "stem": node["stem"],
        "definition": node["definition"],
        "feedback": node["feedback"],
        "source": node["source"],
    }
    response = signed_in.patch(
        f"/api/v1/items/{node['code']}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, node["code"])


def test_a_json_import_stores_and_serves_sanitised_content(signed_in, framework):
    data = json.dumps(dirty_document()).encode()
    response = upload(signed_in, data, "json")
    assert response.status_code == 200, response.json()
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, "T-0001")


def test_a_csv_import_stores_and_serves_sanitised_content(signed_in, bank):
    document = export_document(list(bank))
    document["items"] = [dirty_node(node) for node in document["items"]]
    response = upload(signed_in, export_csv(document).encode(), "csv")
    assert response.status_code == 200, response.json()
    assert_stored_clean_and_kept()
    assert_served_clean(signed_in, "T-0002")


# A QTI package is XML: the payloads it can carry are the well-formed ones.
XML_PAYLOAD = (
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><use href="data:x"/></svg>'
    '<img src="x" onerror="alert(1)"/><details open="" ontoggle="alert(1)">d</details>'
    "<style>body{display:none}</style><script>alert(1)</script>"
    '<a href="javascript:alert(1)">j</a><a href="//evil.example">p</a>'
    '<iframe src="https://evil.example"/><img src="https://evil.example/p.png" alt="p"/>'
    '<p style="color:red" onclick="alert(1)">s</p><form action="https://evil.example"/>'
)


def test_a_qti_import_stores_and_serves_sanitised_content(signed_in, framework):
    clean = export_package(sample_document())
    dirty_package = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(clean)) as source,
        zipfile.ZipFile(dirty_package, "w") as target,
    ):
        for name in source.namelist():
            data = source.read(name).decode()
            data = data.replace("Que faites-vous de ce ", f"{MARK}{XML_PAYLOAD}", 1)
            data = data.replace("Cliquez vite.", f"{MARK}{XML_PAYLOAD}", 1)
            data = data.replace(">Je clique<", f">Je clique{XML_PAYLOAD}<", 1)
            target.writestr(name, data)
    response = upload(signed_in, dirty_package.getvalue(), "qti")
    assert response.status_code == 200, response.json()
    assert_stored_clean_and_kept()
    stimulus = StimulusVersion.objects.get()
    assert MARK in stimulus.content_fr
    assert_served_clean(signed_in, "T-0001")
