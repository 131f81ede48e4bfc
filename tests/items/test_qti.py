import io
import zipfile

import pytest

from palier.items.qti import QtiError, export_package, import_package, item_xml, parse_xml
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
