import io
import struct
import zipfile

import pytest

from palier.core.uploads import UploadLimitError, ZipLimits, ZipReader
from palier.items.qti import (
    MAX_FILE_BYTES,
    QtiError,
    export_package,
    import_package,
    item_xml,
    parse_xml,
)
from tests.items.sample import sample_document

QTI21_CHOICE = b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="EXT-001"
    title="Choix" adaptive="false" timeDependent="false" xml:lang="fr">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="identifier">
    <correctResponse><value>B</value></correctResponse>
  </responseDeclaration>
  <itemBody>
    <p>Quel canal pour envoyer un compte rendu ?</p>
    <choiceInteraction responseIdentifier="RESPONSE" shuffle="true" maxChoices="1">
      <simpleChoice identifier="A">Un courriel personnel</simpleChoice>
      <simpleChoice identifier="B">Une messagerie s\xc3\xa9curis\xc3\xa9e</simpleChoice>
    </choiceInteraction>
  </itemBody>
</assessmentItem>"""

QTI21_TEXT = b"""<?xml version="1.0" encoding="UTF-8"?>
<assessmentItem xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1" identifier="EXT-002"
    title="Texte" adaptive="false" timeDependent="false">
  <responseDeclaration identifier="RESPONSE" cardinality="single" baseType="string">
    <correctResponse><value>INS</value></correctResponse>
  </responseDeclaration>
  <itemBody><p>Sigle de l'identifiant national de sant\xc3\xa9 ?</p>
    <p><textEntryInteraction responseIdentifier="RESPONSE" expectedLength="10"/></p>
  </itemBody>
</assessmentItem>"""


def package(files: dict[str, bytes]) -> bytes:
    manifest = [
        '<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="m"><resources>'
    ]
    for name in files:
        manifest.append(
            f'<resource identifier="{name}" type="imsqti_item_xmlv2p1" '
            f'href="{name}"><file href="{name}"/></resource>'
        )
    manifest.append("</resources></manifest>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", "".join(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def french_view(document):
    """What a French QTI package carries: French texts, definitions, Palier metadata."""

    def fr(value):
        if isinstance(value, dict) and set(value) <= {"fr", "en"} and "fr" in value:
            return value["fr"]
        if isinstance(value, dict):
            return {key: fr(inner) for key, inner in value.items()}
        if isinstance(value, list):
            return [fr(inner) for inner in value]
        return value

    items = []
    for node in document["items"]:
        node = fr(node)
        if node["format"] == "short_text":
            node["definition"]["accepted"] = sorted(node["definition"]["accepted"])
        items.append(node)
    return {"stimuli": fr(document["stimuli"]), "items": items}


def test_a_qti_export_imports_back_to_the_same_items():
    document = sample_document()
    imported = import_package(export_package(document, "fr"))
    assert french_view(imported)["items"] == french_view(document)["items"]
    assert french_view(imported)["stimuli"] == french_view(document)["stimuli"]


def test_the_package_has_a_manifest_and_qti3_items():
    data = export_package(sample_document())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        item = archive.read("items/T-0001.xml")
    assert "imsmanifest.xml" in names and "stimuli/T-CASE-01.xml" in names
    assert b"http://www.imsglobal.org/xsd/imsqtiasi_v3p0" in item
    assert b"qti-choice-interaction" in item and b"qti-assessment-stimulus-ref" in item


def test_qti_21_choice_and_text_entry_items_are_read():
    document = import_package(
        package({"a.xml": QTI21_CHOICE, "b.xml": QTI21_TEXT}),
        defaults={"capacity": "D3.C1.1", "level": 2, "source": "ext"},
    )
    choice, text = document["items"]
    assert choice["format"] == "single_choice" and choice["definition"]["correct"] == "B"
    assert choice["stem"]["fr"] == "<p>Quel canal pour envoyer un compte rendu ?</p>"
    assert [o["text"]["fr"] for o in choice["definition"]["options"]][1].startswith("Une")
    assert text["format"] == "short_text" and text["definition"]["accepted"]["fr"] == ["INS"]
    assert choice["capacity"] == "D3.C1.1" and choice["level"] == 2


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
        b'"&lol;&lol;&lol;">]><x>&lol2;</x>',
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<x>&xxe;</x>",
        b"<x><unclosed></x>",
        b"<x>" + b"a" * (3 * 1024 * 1024) + b"</x>",
    ],
    ids=["billion-laughs", "external-entity", "malformed", "huge"],
)
def test_hostile_or_broken_xml_is_refused_with_a_clear_error(payload):
    with pytest.raises(QtiError):
        parse_xml(payload, "item.xml")
    with pytest.raises(QtiError):
        import_package(package({"item.xml": payload}))


def test_a_package_without_manifest_or_not_a_zip_is_refused():
    with pytest.raises(QtiError, match="not a zip"):
        import_package(b"plain text")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("item.xml", QTI21_CHOICE)
    with pytest.raises(QtiError, match=r"imsmanifest\.xml missing"):
        import_package(buffer.getvalue())


def stimulus_choice_package(*, keep_class: bool, declare: bool) -> bytes:
    """A one-item package of the sample's stimulus choice item, with or without the
    interaction's class and the manifest's declared format."""
    node = next(item for item in sample_document()["items"] if item["format"] == "stimulus_choice")
    xml = item_xml({**node, "stimulus": None})
    if not keep_class:
        xml = xml.replace(b' class="palier-stimulus-choice"', b"")
    manifest = (
        '<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" '
        'xmlns:palier="urn:palier:qti-metadata"><resources>'
        '<resource identifier="i" type="imsqti_item_xmlv3p0" href="i.xml"><metadata>'
        + ('<palier:item format="stimulus_choice"/>' if declare else "")
        + '</metadata><file href="i.xml"/></resource></resources></manifest>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("imsmanifest.xml", manifest)
        archive.writestr("i.xml", xml)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("keep_class", "declare", "expected"),
    [
        (True, False, "stimulus_choice"),
        (False, True, "stimulus_choice"),
        (False, False, "multiple_response"),
    ],
)
def test_a_stimulus_choice_is_recognised_by_its_class_or_its_declared_format(
    keep_class, declare, expected
):
    package_data = stimulus_choice_package(keep_class=keep_class, declare=declare)
    assert import_package(package_data)["items"][0]["format"] == expected


# --- archive limits: streamed entries, sizes counted while reading ------------------------

QTI3 = "http://www.imsglobal.org/xsd/imsqtiasi_v3p0"


def padded_stimulus(code: str, size: int) -> bytes:
    """A valid QTI stimulus of about `size` bytes, mostly spaces (compresses ~1000 times)."""
    head = f'<qti-assessment-stimulus xmlns="{QTI3}" identifier="{code}" title="t">'
    head += "<qti-stimulus-body><p>x"
    tail = "</p></qti-stimulus-body></qti-assessment-stimulus>"
    return (head + " " * (size - len(head) - len(tail)) + tail).encode()


def stimulus_package(entries: int, entry_bytes: int) -> bytes:
    """A package whose manifest lists `entries` stimuli of `entry_bytes` each, deflated."""
    names = [f"stimuli/S-{number:04d}.xml" for number in range(entries)]
    manifest = (
        '<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" identifier="m">'
        "<resources>"
        + "".join(
            f'<resource identifier="S{number}" type="imsqti_stimulus_xmlv3p0" href="{name}"/>'
            for number, name in enumerate(names)
        )
        + "</resources></manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("imsmanifest.xml", manifest)
        for number, name in enumerate(names):
            archive.writestr(name, padded_stimulus(f"S-{number:04d}", entry_bytes))
    return buffer.getvalue()


def with_declared_size(data: bytes, name: str, declared: int) -> bytes:
    """The zip `data` with entry `name`'s uncompressed size rewritten to `declared` in its
    local header and in the central directory (what a hostile tool can write)."""
    patched = bytearray(data)
    encoded = name.encode()
    for signature, name_offset, size_offset in ((b"PK\x03\x04", 30, 22), (b"PK\x01\x02", 46, 24)):
        start = 0
        while (start := patched.find(signature, start)) >= 0:
            if patched[start + name_offset : start + name_offset + len(encoded)] == encoded:
                struct.pack_into("<L", patched, start + size_offset, declared)
            start += 4
    return bytes(patched)


def test_an_entry_larger_than_its_declared_size_is_refused_as_damaged():
    data = package({"item.xml": QTI21_CHOICE + b" " * 100_000})
    lying = with_declared_size(data, "item.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(lying)) as archive:
        assert archive.getinfo("item.xml").file_size == 1000
    with pytest.raises(QtiError, match="damaged"):
        import_package(lying)


def test_a_zip_bomb_is_refused_while_reading_its_first_large_entry():
    bomb = stimulus_package(entries=40, entry_bytes=MAX_FILE_BYTES - 1)
    assert len(bomb) < 200_000  # 80 MiB once uncompressed
    with pytest.raises(QtiError, match="compressed more than"):
        import_package(bomb)


def test_the_uncompressed_total_is_bounded_whatever_each_entry_declares():
    limits = ZipLimits(
        max_archive_bytes=MAX_FILE_BYTES,
        max_entries=100,
        max_entry_bytes=100_000,
        max_total_bytes=250_000,
        max_compression_ratio=10_000,
    )
    reader = ZipReader(stimulus_package(entries=5, entry_bytes=90_000), limits)
    reader.read("stimuli/S-0000.xml")
    reader.read("stimuli/S-0001.xml")
    with pytest.raises(UploadLimitError, match="once uncompressed"):
        reader.read("stimuli/S-0002.xml")


def test_an_entry_over_the_per_file_limit_is_refused_even_when_declared_small():
    limits = ZipLimits(
        max_archive_bytes=MAX_FILE_BYTES,
        max_entries=10,
        max_entry_bytes=50_000,
        max_total_bytes=10_000_000,
        max_compression_ratio=10_000,
    )
    data = stimulus_package(entries=1, entry_bytes=90_000)
    reader = ZipReader(data, limits)
    with pytest.raises(UploadLimitError, match="larger than"):
        reader.read("stimuli/S-0000.xml")


def test_a_central_directory_listing_too_many_files_is_refused_before_it_is_parsed():
    limits = ZipLimits(
        max_archive_bytes=MAX_FILE_BYTES, max_entries=3, max_entry_bytes=1000, max_total_bytes=1000
    )
    with pytest.raises(UploadLimitError, match="more than 3 files"):
        ZipReader(stimulus_package(entries=5, entry_bytes=200), limits)
    # An end record understating the count changes nothing: the directory's size tells.
    data = bytearray(stimulus_package(entries=40, entry_bytes=200))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 2, 2)
    with pytest.raises(UploadLimitError, match="more than 3 files"):
        ZipReader(bytes(data), limits)


def test_the_api_refuses_a_zip_bomb_and_a_lying_zip_with_a_422_and_stores_nothing(
    client, framework, author
):
    from palier.items.models import Item, Stimulus

    client.force_login(author)
    bomb = stimulus_package(entries=40, entry_bytes=MAX_FILE_BYTES - 1)
    lying = with_declared_size(package({"item.xml": QTI21_CHOICE + b" " * 100_000}), "item.xml", 9)
    for data, reason in ((bomb, "compressed more than"), (lying, "damaged")):
        response = client.post(
            "/api/v1/items/import?format=qti",
            {"file": io.BytesIO(data)},
            format="multipart",
        )
        assert response.status_code == 422, response.content
        error = response.json()["error"]
        assert error["code"] == "invalid_import"
        assert reason in " ".join(error["fields"]["file"])
    assert Item.objects.count() == 0 and Stimulus.objects.count() == 0
