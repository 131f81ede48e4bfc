"""QTI 3.0 packages made by other tools (fixtures: see fixtures/qti/README.md)."""

import io
import zipfile
from pathlib import Path

import pytest

from palier.items.models import Item, Media, ReviewComment
from palier.items.qti import export_package, read_package
from palier.items.services import missing_for_review
from tests.items.sample import sample_document

FIXTURES = Path(__file__).parent / "fixtures" / "qti"
TEXT2QTI = (FIXTURES / "text2qti-sante.zip").read_bytes()
QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"
CP3 = "http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1"


def zipped(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def manifest(*resources: tuple[str, str, str]) -> str:
    listed = "".join(
        f'<resource identifier="{identifier}" type="{kind}" href="{href}">'
        f'<file href="{href}"/></resource>'
        for identifier, kind, href in resources
    )
    return f'<manifest xmlns="{CP3}" identifier="m"><resources>{listed}</resources></manifest>'


def choice_item(identifier: str, namespace: str = QTI3, interaction: str = "") -> str:
    body = interaction or (
        '<qti-choice-interaction response-identifier="RESPONSE" max-choices="1">'
        "<qti-prompt>Quel canal pour un compte rendu ?</qti-prompt>"
        '<qti-simple-choice identifier="A">Courriel personnel</qti-simple-choice>'
        '<qti-simple-choice identifier="B">Messagerie sécurisée</qti-simple-choice>'
        "</qti-choice-interaction>"
    )
    return (
        f'<qti-assessment-item xmlns="{namespace}" identifier="{identifier}" title="t">'
        '<qti-response-declaration identifier="RESPONSE" cardinality="single" '
        'base-type="identifier"><qti-correct-response><qti-value>B</qti-value>'
        f"</qti-correct-response></qti-response-declaration><qti-item-body>{body}"
        "</qti-item-body></qti-assessment-item>"
    )


def post(client, data: bytes, **options):
    query = "&".join(f"{key}={value}" for key, value in {"format": "qti", **options}.items())
    return client.post(
        f"/api/v1/items/import?{query}", {"file": io.BytesIO(data)}, format="multipart"
    )


def test_a_text2qti_package_is_read_item_by_item_with_its_test_listed():
    contents = read_package(TEXT2QTI)
    formats = [read.node["format"] for read in contents.items]
    assert formats == [
        "single_choice",
        "short_text",
        "multiple_response",
        "numeric",
        "single_choice",
        "single_choice",
    ]
    # The tool declares no correct response: the answers come from its response processing.
    numeric = contents.items[3].node["definition"]
    assert numeric["value"] == 20.0 and numeric["tolerance"] == 0.0
    assert contents.items[1].node["definition"]["accepted"]["fr"] == [
        "INS",
        "identifiant national de santé",
    ]
    stem = contents.items[1].node["stem"]["fr"]
    assert stem.startswith("<p>Quel sigle désigne l\u2019identifiant")
    assert [reason.split(" : ", 1)[1] for reason in contents.skipped] == [
        "interaction non prise en charge (qti-extended-text-interaction)",
        "interaction non prise en charge (qti-upload-interaction)",
    ]
    assert len(contents.notes) == 1 and "8 items" in contents.notes[0]
    assert all(read.missing == {"capacity", "level", "source"} for read in contents.items)
    # One image, shown by two items: stored once; the item without alt text says so.
    assert [image.path for image in contents.images.images] == ["images/messagerie.png"]
    assert (
        'alt="Enveloppe bleue de la messagerie sécurisée"' in contents.items[4].node["stem"]["fr"]
    )
    assert any("sans texte alternatif" in reason for reason in contents.items[5].reasons)


def test_the_api_imports_a_text2qti_package_as_drafts_with_the_reasons(
    client, framework, author, settings
):
    client.force_login(author)
    response = post(client, TEXT2QTI)
    assert response.status_code == 200, response.content
    report = response.json()
    assert len(report["created"]) == 6 and len(report["skipped"]) == 2
    assert set(report["drafts"]) == set(report["created"])
    first_code = report["created"][0]
    first = report["drafts"][first_code]
    assert any("capacité absente" in reason for reason in first)
    assert any("référence (source) absente" in reason for reason in first)
    assert Item.objects.filter(status=Item.Status.DRAFT).count() == 6
    assert Media.objects.count() == 1
    media = Media.objects.get()
    assert media.alt_fr == "Enveloppe bleue de la messagerie sécurisée"
    item = Item.objects.get(code=report["created"][4])
    assert media.file.url in item.latest_version().stem_fr
    comment = ReviewComment.objects.get(item__code=report["created"][5])
    assert "sans texte alternatif" in comment.body
    # A placeholder left by the import keeps the item out of review until it is completed.
    assert "source" in missing_for_review(Item.objects.get(code=first_code).latest_version())
    undescribed = Item.objects.get(code=report["created"][5]).latest_version()
    assert "stem_fr" in missing_for_review(undescribed)
    # Importing the same package again finds the same codes and changes nothing.
    again = post(client, TEXT2QTI).json()
    assert again["created"] == [] and len(again["unchanged"]) == 6


def test_strict_refuses_the_whole_package_and_a_dry_run_stores_nothing(
    client, framework, author, settings
):
    client.force_login(author)
    strict = post(client, TEXT2QTI, strict="true")
    assert strict.status_code == 422
    assert "qti-upload-interaction" in " ".join(strict.json()["error"]["fields"]["file"])
    dry = post(client, TEXT2QTI, dry_run="true")
    assert dry.status_code == 200 and len(dry.json()["created"]) == 6
    assert Item.objects.count() == 0 and Media.objects.count() == 0
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.png"))


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"imsmanifest.xml": manifest(("i", "imsqti_item_xmlv3p0", "../../etc/passwd"))},
            "sort du paquet",
        ),
        (
            {"imsmanifest.xml": manifest(("i", "imsqti_item_xmlv3p0", "items/absent.xml"))},
            "fichier absent du paquet",
        ),
        (
            {
                "imsmanifest.xml": manifest(("i", "imsqti_item_xmlv3p0", "i.xml")),
                "i.xml": choice_item("I-1", namespace="urn:other"),
            },
            "espace de noms inattendu",
        ),
        (
            {
                "imsmanifest.xml": manifest(("i", "imsqti_item_xmlv3p0", "i.xml")),
                "i.xml": choice_item("I-1")[:-30],
            },
            "malformed XML",
        ),
        ({"imsmanifest.xml": "<not-a-manifest/>"}, "manifeste"),
    ],
    ids=["path-traversal", "missing-file", "wrong-namespace", "malformed", "no-manifest"],
)
def test_broken_packages_get_a_clear_422_and_store_nothing(
    client, framework, author, files, expected
):
    client.force_login(author)
    response = post(client, zipped(files))
    assert response.status_code == 422, response.content
    assert expected in " ".join(response.json()["error"]["fields"]["file"])
    assert Item.objects.count() == 0


def test_a_hotspot_item_is_skipped_while_its_neighbour_imports(client, framework, author):
    hotspot = (
        '<qti-hotspot-interaction response-identifier="RESPONSE" max-choices="1">'
        '<qti-hotspot-choice identifier="A" shape="circle" coords="1,1,1"/>'
        "</qti-hotspot-interaction>"
    )
    data = zipped(
        {
            "imsmanifest.xml": manifest(
                ("a", "imsqti_item_xmlv3p0", "a.xml"), ("b", "imsqti_item_xmlv3p0", "b.xml")
            ),
            "a.xml": choice_item("EXT-A"),
            "b.xml": choice_item("EXT-B", interaction=hotspot),
        }
    )
    client.force_login(author)
    report = post(client, data).json()
    assert report["created"] == ["EXT-A"]
    assert "qti-hotspot-interaction" in report["skipped"][0]


def test_palier_round_trip_still_imports_without_drafts(client, framework, author):
    client.force_login(author)
    report = post(client, export_package(sample_document())).json()
    assert report["created"] and report["drafts"] == {} and report["skipped"] == []


def test_the_import_page_shows_a_dry_run_report_and_refuses_a_bad_file(client, framework, author):
    client.force_login(author)
    url = "/auteur/import/"
    assert client.get(url).status_code == 200
    upload = io.BytesIO(TEXT2QTI)
    upload.name = "text2qti-sante.zip"
    response = client.post(url, {"file": upload, "kind": "qti", "dry_run": "on"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Résultat de la simulation" in page and "Brouillons à compléter" in page
    assert "qti-upload-interaction" in page and "non conservé" in page
    assert Item.objects.count() == 0
    broken = io.BytesIO(b"not a zip")
    broken.name = "broken.zip"
    response = client.post(url, {"file": broken, "kind": "qti"})
    assert response.status_code == 422
    assert "Rien n'a été importé" in response.content.decode()
    assert client.post(url, {"kind": "qti"}).status_code == 422


def test_the_import_page_is_for_authors_only(client, framework):
    from tests.factories import make_user

    client.force_login(make_user("learner@example.org"))
    response = client.get("/auteur/import/")
    assert response.status_code in (302, 403)


def test_the_command_takes_defaults_and_reports_drafts_skipped_items_and_tests(framework, tmp_path):
    from django.core.management import CommandError, call_command

    path = tmp_path / "text2qti.zip"
    path.write_bytes(TEXT2QTI)
    with pytest.raises(CommandError):
        call_command("items", "import", str(path), "--strict", stdout=io.StringIO())
    assert Item.objects.count() == 0
    out = io.StringIO()
    arguments = ["--capacity", "D3.C1.1", "--level", "2", "--source", "Guide HAS 2024"]
    call_command("items", "import", str(path), *arguments, stdout=out)
    text = out.getvalue()
    assert text.count("skipped: ") == 2 and "note: test « Échanges" in text
    assert "draft " in text and "6 new" in text
    version = Item.objects.order_by("code").first().latest_version()
    assert version.capacity.code == "D3.C1.1" and version.intended_level == 2
    assert version.source == "Guide HAS 2024"


def test_a_shared_stimulus_is_kept_and_a_missing_one_or_a_gif_makes_a_draft(
    client, framework, author
):
    stimulus = (
        f'<qti-assessment-stimulus xmlns="{QTI3}" identifier="courriel-suspect" title="Courriel">'
        "<qti-stimulus-body><p>Objet : facture impayée, cliquez ici.</p></qti-stimulus-body>"
        "</qti-assessment-stimulus>"
    )

    def with_stimulus(identifier: str, reference: str, image: str = "") -> str:
        item = choice_item(identifier).replace(
            "<qti-item-body>",
            f'<qti-assessment-stimulus-ref identifier="{reference}" href="s.xml"/>'
            f"<qti-item-body>{image}",
        )
        return item

    data = zipped(
        {
            "imsmanifest.xml": manifest(
                ("s", "imsqti_stimulus_xmlv3p0", "s.xml"),
                ("a", "imsqti_item_xmlv3p0", "a.xml"),
                ("b", "imsqti_item_xmlv3p0", "b.xml"),
            ),
            "s.xml": stimulus,
            "a.xml": with_stimulus("EXT-A", "courriel-suspect"),
            "b.xml": with_stimulus("EXT-B", "ailleurs", '<p><img src="logo.gif" alt="Logo"/></p>'),
            "logo.gif": b"GIF89a",
        }
    )
    client.force_login(author)
    report = post(client, data).json()
    assert report["created"] == ["EXT-A", "EXT-B"]
    assert Item.objects.get(code="EXT-A").latest_version().stimulus.code == "COURRIEL-SUSPECT"
    reasons = " ".join(report["drafts"]["EXT-B"])
    assert "mise en situation « ailleurs » absente" in reasons
    assert "logo.gif" in reasons and "refusée" in reasons
    assert "<img" not in Item.objects.get(code="EXT-B").latest_version().stem_fr
