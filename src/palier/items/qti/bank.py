"""Storing what a QTI package holds: `import_qti` completes the items read by
`read_package` (classification and source of items made by other tools), puts their images
into the media library, imports the document through the bank's one import path, and
records why each draft must be reviewed. One transaction: an import that fails, or a dry
run, leaves neither items nor images behind."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from palier.accounts.models import User
from palier.frameworks.models import Capacity, Framework
from palier.items import services
from palier.items.bank_io import ImportReport, import_document
from palier.items.errors import ItemError
from palier.items.media import MediaError, check_image
from palier.items.models import LEVEL_MAX, LEVEL_MIN, Item, Media
from palier.items.qti.images import PackageImage
from palier.items.qti.package import PackageContents, read_package
from palier.items.qti.xml import QtiError


class _Discard(Exception):
    """Leave the import's transaction without keeping anything."""


def import_qti(
    data: bytes,
    framework: Framework,
    user: User | None,
    *,
    dry_run: bool,
    strict: bool = False,
    defaults: dict[str, Any] | None = None,
) -> ImportReport:
    """Import a QTI package; the report says per item what was imported, what became a
    draft and why, what was skipped and why. With `strict`, one skipped item refuses all."""
    report = ImportReport(dry_run=dry_run)
    try:
        contents = read_package(data)
    except QtiError as error:
        report.errors = [str(error)]
        return report
    report.skipped, report.notes = list(contents.skipped), list(contents.notes)
    if strict and contents.skipped:
        report.errors = [
            _("mode strict : un item au moins n'est pas importable, rien n'a été importé")
        ]
        return report
    if not contents.items:
        report.errors = [_("aucun item de ce paquet n'est importable")]
        return report
    _complete(contents, framework, defaults or {})
    _check_images(contents)
    stored: list[str] = []
    try:
        with transaction.atomic():
            document = _with_images(contents, user, dry_run, stored, report)
            outcome = import_document(document, framework, user, dry_run=dry_run)
            for name in ("errors", "created", "updated", "unchanged", "stimuli"):
                setattr(report, name, getattr(outcome, name))
            if report.errors or dry_run:
                raise _Discard
            _record_reasons(contents, user, report)
    except _Discard:
        for name in stored:
            default_storage.delete(name)
    report.drafts = {read.node["code"]: read.reasons for read in contents.items if read.reasons}
    return report


def _complete(contents: PackageContents, framework: Framework, defaults: dict[str, Any]) -> None:
    """Give every item what the bank requires: an item already in the bank keeps its
    classification and source; a new one takes the import's defaults, else the framework's
    first capacity and the lowest level, said to be provisional."""
    incomplete = [read for read in contents.items if read.missing]
    if not incomplete:
        return
    capacities = Capacity.objects.filter(competence__area__framework=framework).order_by("code")
    known = {capacity.code for capacity in capacities}
    first = capacities.first()
    existing = {
        item.code: item
        for item in Item.objects.filter(
            code__in=[read.node["code"] for read in incomplete]
        ).select_related("capacity")
    }
    for read in incomplete:
        node, item = read.node, existing.get(read.node["code"])
        version = item.latest_version() if item else None
        if "capacity" in read.missing:
            given = defaults.get("capacity")
            if item is not None:
                node["capacity"] = item.capacity.code
            elif given in known:
                node["capacity"] = given
            else:
                node["capacity"] = first.code if first else ""
                read.reasons.append(
                    _("capacité absente : %(code)s provisoirement") % {"code": node["capacity"]}
                )
        if "level" in read.missing:
            given = defaults.get("level")
            if item is not None:
                node["level"] = item.intended_level
            elif isinstance(given, int) and LEVEL_MIN <= given <= LEVEL_MAX:
                node["level"] = given
            else:
                node["level"] = LEVEL_MIN
                read.reasons.append(
                    _("niveau visé absent : %(level)s provisoirement") % {"level": LEVEL_MIN}
                )
        if "source" in read.missing:
            if version is not None and version.source:
                node["source"] = version.source
            elif defaults.get("source"):
                node["source"] = str(defaults["source"])[:500]
            else:
                todo = services.TO_COMPLETE
                node["source"] = f"{todo} (paquet QTI, identifiant {read.identifier})"
                read.reasons.append(_("référence (source) absente : à compléter"))


def _check_images(contents: PackageContents) -> None:
    """Refuse, as the media library does, the images that are not reasonable PNG, JPEG or
    WebP files: they leave the items that showed them, with the reason."""
    assert contents.images is not None
    refused: list[PackageImage] = []
    for image in contents.images.images:
        try:
            check_image(
                SimpleUploadedFile(image.path.rsplit("/", 1)[-1], contents.files[image.path])
            )
        except MediaError as error:
            refused.append(image)
            for read in contents.items:
                if read.node["code"] in image.codes:
                    read.reasons.append(
                        _("image « %(path)s » refusée (%(why)s) : retirée")
                        % {"path": image.path, "why": error.message}
                    )
    for image in refused:
        contents.images.images.remove(image)
        pattern = re.compile(r'<img[^>]*src="' + re.escape(image.url) + r'"[^>]*>')
        contents.document = _map_texts(
            contents.document, lambda text, pattern=pattern: pattern.sub("", text)
        )


def _with_images(
    contents: PackageContents,
    user: User | None,
    dry_run: bool,
    stored: list[str],
    report: ImportReport,
) -> dict[str, Any]:
    """The document with each image's provisional address replaced by its library one (a
    dry run checks the images and keeps the provisional addresses)."""
    assert contents.images is not None
    report.media = len(contents.images.images)
    if dry_run:
        return contents.document
    addresses: dict[str, str] = {}
    for image in contents.images.images:
        upload = SimpleUploadedFile(image.path.rsplit("/", 1)[-1], contents.files[image.path])
        same = _same_image(upload.name, contents.files[image.path])
        if same is not None:
            addresses[image.url] = same.file.url
            continue
        alt = image.alt or f"{services.IMAGE_TO_DESCRIBE} ({upload.name})"
        try:
            media = services.upload_media(user, upload, alt[:300])
        except ItemError as error:
            report.errors.append(f"{image.path}: {error.message}")
            raise _Discard from error
        stored.append(media.file.name)
        addresses[image.url] = media.file.url
    if not addresses:
        return contents.document
    pattern = re.compile("|".join(re.escape(url) for url in addresses))
    return _map_texts(contents.document, lambda text: pattern.sub(lambda m: addresses[m[0]], text))


# Library images compared byte for byte with a package's image of the same name, at most.
SAME_NAME_CANDIDATES = 20


def _same_image(name: str, data: bytes) -> Media | None:
    """The library image holding exactly these bytes under this name (importing a package
    again must not store its images twice, nor change its items)."""
    stem = name.rsplit(".", 1)[0]
    for media in Media.objects.filter(file__contains=stem).order_by("pk")[:SAME_NAME_CANDIDATES]:
        try:
            with media.file.open("rb") as stored:
                if stored.read(len(data) + 1) == data:
                    return media
        except OSError:
            continue
    return None


def _map_texts(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {key: _map_texts(inner, change) for key, inner in value.items()}
    if isinstance(value, list):
        return [_map_texts(inner, change) for inner in value]
    return value


def _record_reasons(contents: PackageContents, user: User | None, report: ImportReport) -> None:
    """Each draft's reasons as a review comment on the item, where its reviewer looks."""
    written = set(report.created) | set(report.updated)
    codes = [
        read.node["code"]
        for read in contents.items
        if read.reasons and read.node["code"] in written
    ]
    items = {item.code: item for item in Item.objects.filter(code__in=codes)}
    for read in contents.items:
        item = items.get(read.node["code"])
        if item is None:
            continue
        body = _("Importé d'un paquet QTI (identifiant « %(id)s ») ; à reprendre :") % {
            "id": read.identifier
        }
        services.add_comment(
            user, item, "\n".join([body, *(f"- {reason}" for reason in read.reasons)])
        )
