"""Import: what a QTI package holds, item by item.

`read_package` reads the manifest, then every item it declares (directly or through a
test), every stimulus and every image the items show. An item Palier cannot take
(unsupported interaction, unreadable answer, missing or malformed file) is skipped with
the reason while the others are read; assessment tests are not kept (Palier builds its own
tests), only listed with their items in order. Nothing here touches the database: `qti.bank`
completes and stores what was read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from palier.core.uploads import UploadLimitError, ZipLimits, ZipReader
from palier.items.html import clean_html
from palier.items.qti.images import PackageImages, package_path
from palier.items.qti.manifest import Resource, read_manifest
from palier.items.qti.reader import ReadItem, palier_code, read_item
from palier.items.qti.xml import (
    MAX_FILE_BYTES,
    XML_LANG,
    PackageLimitError,
    QtiError,
    local,
    localname,
    parse_xml,
    raw_html,
)

MAX_PACKAGE_BYTES = 20 * 1024 * 1024
MAX_FILES = 5_000
# Everything read from one package, uncompressed: a 20 MiB zip of highly compressed entries
# would otherwise unpack to gigabytes.
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
PACKAGE_LIMITS = ZipLimits(
    max_archive_bytes=MAX_PACKAGE_BYTES,
    max_entries=MAX_FILES,
    max_entry_bytes=MAX_FILE_BYTES,
    max_total_bytes=MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio=MAX_COMPRESSION_RATIO,
)
STIMULUS_KINDS = ("email", "record", "thread", "teleconsultation", "tool", "document")


@dataclass
class PackageContents:
    """A bank document read from a package, and what the import must say about it."""

    document: dict[str, Any]
    items: list[ReadItem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    images: PackageImages | None = None
    files: dict[str, bytes] = field(default_factory=dict)


def _open_package(data: bytes) -> ZipReader:
    try:
        package = ZipReader(data, PACKAGE_LIMITS)
    except UploadLimitError as error:
        raise QtiError(str(error).replace("archive", "package")) from error
    if "imsmanifest.xml" not in package:
        raise QtiError("imsmanifest.xml missing")
    return package


def _read(package: ZipReader, name: str) -> bytes:
    """One file of the package, streamed within the package limits."""
    if name not in package:
        raise QtiError(_("%(name)s : fichier absent du paquet") % {"name": name})
    try:
        return package.read(name)
    except UploadLimitError as error:
        raise PackageLimitError(f"{name}: {error}") from error


def read_package(data: bytes) -> PackageContents:
    """Everything a package holds that Palier can take, and the reasons for the rest.
    QtiError only when the package as a whole cannot be read (not a zip, no manifest,
    limits, a manifest pointing outside the package)."""
    package = _open_package(data)
    resources = read_manifest(parse_xml(_read(package, "imsmanifest.xml"), "imsmanifest.xml"))
    contents = PackageContents(document={"stimuli": [], "items": []})
    images = PackageImages(frozenset(package.names()))
    contents.images = images
    item_paths: list[tuple[str, dict[str, str]]] = []
    stimulus_paths: list[str] = []
    for resource in resources:
        if resource.kind == "test":
            item_paths += [(path, {}) for path in _test_items(package, resource, contents)]
        elif resource.kind == "stimulus" and resource.href:
            stimulus_paths.append(resource.href)
        elif resource.kind == "item" and resource.href:
            item_paths.append((resource.href, resource.metadata))
        elif resource.kind == "item":
            contents.skipped.append(
                _("%(id)s : ressource sans fichier") % {"id": resource.identifier}
            )
    stimulus_codes = _read_stimuli(package, stimulus_paths, images, contents)
    seen: dict[str, dict[str, str]] = {}
    for path, metadata in item_paths:
        # A test lists the items the manifest declares too: read each once, with the
        # manifest's metadata when it has some.
        seen[path] = seen.get(path) or metadata
    for path, metadata in seen.items():
        _read_one_item(package, path, metadata, images, stimulus_codes, contents)
    for image in images.images:
        contents.files[image.path] = _read(package, image.path)
    return contents


def _read_one_item(
    package: ZipReader,
    path: str,
    metadata: dict[str, str],
    images: PackageImages,
    stimulus_codes: dict[str, str],
    contents: PackageContents,
) -> None:
    try:
        root = parse_xml(_read(package, path), path)
        read = read_item(root, metadata, path, images, stimulus_codes)
    except PackageLimitError:
        raise
    except QtiError as error:
        contents.skipped.append(str(error))
        return
    codes = [item.node["code"] for item in contents.items]
    if read.node["code"] in codes:
        contents.skipped.append(
            _("%(href)s : code %(code)s déjà lu dans ce paquet")
            % {"href": path, "code": read.node["code"]}
        )
        return
    contents.items.append(read)
    contents.document["items"].append(read.node)


def _test_items(package: ZipReader, resource: Resource, contents: PackageContents) -> list[str]:
    """The items a test lists, in its order; the test itself is noted, not kept."""
    if not resource.href:
        return []
    try:
        root = parse_xml(_read(package, resource.href), resource.href)
    except PackageLimitError:
        raise
    except QtiError as error:
        contents.skipped.append(str(error))
        return []
    paths = []
    for reference in root.iter():
        if localname(reference) not in ("qti-assessment-item-ref", "assessmentItemRef"):
            continue
        path = package_path(reference.get("href", ""), resource.href)
        if path is None:
            contents.skipped.append(
                _("%(href)s : l'item « %(ref)s » sort du paquet")
                % {"href": resource.href, "ref": reference.get("href", "")}
            )
            continue
        paths.append(path)
    order = ", ".join(palier_code(_identifier(package, path)) for path in paths)
    contents.notes.append(
        _(
            "test « %(title)s » (%(count)s items : %(order)s) : non conservé, "
            "ses items sont importés un à un"
        )
        % {"title": root.get("title") or resource.identifier, "count": len(paths), "order": order}
    )
    return paths


def _identifier(package: ZipReader, path: str) -> str:
    """An item's identifier for the test's listing (its file name when it cannot be read)."""
    try:
        return parse_xml(_read(package, path), path).get("identifier") or path
    except QtiError:
        return path


def _read_stimuli(
    package: ZipReader, paths: list[str], images: PackageImages, contents: PackageContents
) -> dict[str, str]:
    """Stimuli as bank nodes; their identifiers mapped to Palier codes."""
    codes: dict[str, str] = {}
    for path in paths:
        try:
            root = parse_xml(_read(package, path), path)
        except PackageLimitError:
            raise
        except QtiError as error:
            contents.skipped.append(str(error))
            continue
        if localname(root) != "qti-assessment-stimulus":
            contents.skipped.append(
                _("%(href)s : ce n'est pas une mise en situation QTI 3") % {"href": path}
            )
            continue
        identifier = root.get("identifier") or path
        code = palier_code(identifier)
        reasons: list[str] = []
        body = local(root, "qti-stimulus-body")
        html = clean_html(images.rewrite(raw_html(body[0]), path, code, reasons)) if body else ""
        kind = (root.get("class") or "").removeprefix("palier-kind-")
        # Palier's own stimuli say their language; another tool's text goes where the
        # bank requires one, the French field (its items say so to their reviewer).
        language = (
            (root.get(XML_LANG) or "fr")
            if root.get("class", "").startswith("palier-kind-")
            else "fr"
        )
        contents.document["stimuli"].append(
            {
                "code": code,
                "kind": kind if kind in STIMULUS_KINDS else "document",
                "title": {language: root.get("title") or identifier},
                "content": {language: html},
            }
        )
        contents.notes += [f"{code}: {reason}" for reason in reasons]
        codes[identifier] = code
    return codes
