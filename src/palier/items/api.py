"""Item bank API for authors and psychometricians (learners' problem reports are filed
through the assessments API, which knows what each learner was shown)."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import register_converter
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from palier.accounts.roles import require_role
from palier.core.errors import ApiError, ErrorOut
from palier.frameworks.queries import current_framework
from palier.items import services
from palier.items.access import access_item
from palier.items.bank_io import export_document
from palier.items.content import ItemContent
from palier.items.models import Item, ItemVersion, Stimulus
from palier.items.queries import items_with_latest_version
from palier.items.transfer import MAX_IMPORT_BYTES, export_response, read_and_import
from palier.items.workflow import AUTHORING_ROLES


class ItemCodeConverter:
    """Item codes in URLs: upper-case letters, digits and hyphens, so that fixed paths such
    as /items/import or /items/media never read as an item code."""

    regex = r"[A-Z0-9][A-Z0-9\-]{2,31}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ItemCodeConverter, "itemcode")
router = Router(tags=["items"], auth=django_auth)
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
MAX_PAGE = 200


class ItemSummaryOut(Schema):
    code: str
    capacity: str
    level: int
    status: str
    format: str | None
    version: int | None
    languages: list[str]


class ItemIn(Schema):
    code: str = Field(..., pattern=r"^[A-Z0-9][A-Z0-9\-]{2,31}$")
    capacity: str = Field(..., max_length=32)
    level: int = Field(..., ge=1, le=5)
    format: str = Field(..., max_length=32)
    stimulus: str | None = Field(None, max_length=32)
    stem: dict[str, str]
    definition: dict[str, Any]
    feedback: dict[str, str] = {}
    source: str = Field("", max_length=500)
    estimated_seconds: int = Field(60, ge=10, le=900)
    screen_reader: bool = True
    colour_independent: bool = True


class ItemPatch(ItemIn):
    code: str | None = None  # type: ignore[assignment]
    capacity: str | None = None  # type: ignore[assignment]
    level: int | None = Field(None, ge=1, le=5)  # type: ignore[assignment]


class StatusIn(Schema):
    status: Literal["draft", "review", "pretest", "operational", "retired"]
    comment: str = Field("", max_length=5000)


class ImportOut(Schema):
    dry_run: bool
    created: list[str]
    updated: list[str]
    unchanged: list[str]
    errors: list[str]
    # QTI packages: drafts to complete (code -> reasons), items left out, other remarks.
    drafts: dict[str, list[str]] = {}
    skipped: list[str] = []
    notes: list[str] = []


class ListFilters(Schema):
    status: str | None = None
    area: str | None = None
    competence: str | None = None
    level: int | None = Field(None, ge=1, le=5)
    q: str | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0)


def _authoring(request: HttpRequest) -> None:
    require_role(request, *AUTHORING_ROLES)


def _summary(item: Item, version: ItemVersion | None) -> dict[str, Any]:
    return {
        "code": item.code,
        "capacity": item.capacity.code,
        "level": item.intended_level,
        "status": item.status,
        "format": version.format if version else None,
        "version": version.number if version else None,
        "languages": version.languages if version else [],
    }


def _content(payload: ItemIn) -> ItemContent:
    stimulus = None
    if payload.stimulus:
        stimulus = Stimulus.objects.filter(code=payload.stimulus).first()
        if stimulus is None:
            raise ApiError(
                422,
                "invalid_input",
                _("Mise en situation inconnue."),
                {"stimulus": [_("Code inconnu.")]},
            )
    return ItemContent(
        format=payload.format,
        stem_fr=payload.stem.get("fr", ""),
        stem_en=payload.stem.get("en", ""),
        definition=payload.definition,
        feedback_fr=payload.feedback.get("fr", ""),
        feedback_en=payload.feedback.get("en", ""),
        source=payload.source,
        estimated_seconds=payload.estimated_seconds,
        screen_reader_ok=payload.screen_reader,
        colour_independent=payload.colour_independent,
        stimulus=stimulus,
    )


def _capacity(code: str):
    from palier.frameworks.models import Capacity

    framework = current_framework()
    capacity = Capacity.objects.filter(code=code, competence__area__framework=framework).first()
    if capacity is None:
        raise ApiError(
            422, "invalid_input", _("Capacité inconnue."), {"capacity": [_("Code inconnu.")]}
        )
    return capacity


@router.get(
    "/items",
    response={200: list[ItemSummaryOut], **ERRORS},
    summary="Items of the bank (authors, reviewers, psychometricians)",
)
def list_items(request: HttpRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
    _authoring(request)
    items = Item.objects.select_related("capacity").order_by("code")
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.area:
        items = items.filter(capacity__competence__area__code=filters.area)
    if filters.competence:
        items = items.filter(capacity__competence__code=filters.competence)
    if filters.level:
        items = items.filter(intended_level=filters.level)
    if filters.q:
        items = items.filter(versions__stem_fr__icontains=filters.q).distinct()
    page = list(items_with_latest_version(items)[filters.offset : filters.offset + filters.limit])
    versions = {
        v.pk: v
        for v in ItemVersion.objects.filter(pk__in=[item.latest_version_id for item in page])
    }
    return [_summary(item, versions.get(item.latest_version_id)) for item in page]


@router.post(
    "/items",
    response={201: ItemSummaryOut, 409: ErrorOut, **ERRORS},
    summary="Create an item (draft, version 1)",
)
def create_item(request: HttpRequest, payload: ItemIn) -> Status:
    _authoring(request)
    item = services.create_item(
        request.user,
        payload.code,
        _capacity(payload.capacity),
        payload.level,
        _content(payload),
    )
    return Status(201, _summary(item, item.latest_version()))


@router.post(
    "/items/import",
    response={200: ImportOut, 413: ErrorOut, **ERRORS},
    summary="Import items from JSON, CSV or a QTI package; nothing is written when "
    "any error is found, or with dry_run. A QTI package's unsupported items are skipped "
    "and listed (strict: the whole package is refused instead)",
)
def import_items(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Literal["json", "csv", "qti"] = "json",
    dry_run: bool = False,
    strict: bool = False,
    capacity: str | None = None,
    level: int | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    _authoring(request)
    if file.size > MAX_IMPORT_BYTES:
        raise ApiError(413, "payload_too_large", _("Fichier trop volumineux (20 Mo au plus)."))
    # Classification given to a QTI package's items that carry none (still drafts to review).
    defaults = {
        key: value
        for key, value in (("capacity", capacity), ("level", level), ("source", source))
        if value is not None
    }
    report = read_and_import(
        file.read(), format, request.user, dry_run=dry_run, strict=strict, defaults=defaults
    )
    if not report.ok:
        raise ApiError(
            422,
            "invalid_import",
            _("Le fichier contient des erreurs ; rien n'a été importé."),
            {"file": [*report.errors, *report.skipped][:200]},
        )
    return {
        "dry_run": report.dry_run,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "errors": report.errors,
        "drafts": report.drafts,
        "skipped": report.skipped,
        "notes": report.notes,
    }


@router.get(
    "/items/export",
    response={200: None, **ERRORS},
    summary="Export items as JSON (lossless), CSV or a QTI 3.0 package",
)
def export_items(
    request: HttpRequest,
    format: Literal["json", "csv", "qti"] = "json",
    status: str | None = None,
    language: Literal["fr", "en"] = "fr",
) -> HttpResponse:
    _authoring(request)
    items = Item.objects.select_related("capacity").order_by("code")
    if status:
        items = items.filter(status=status)
    return export_response(list(items), format, language)


@router.get(
    "/items/{itemcode:code}",
    response={200: dict[str, Any], **ERRORS},
    summary="An item with its latest version, key and feedback included (authors)",
)
def get_item(request: HttpRequest, code: str) -> dict[str, Any]:
    item = access_item(request.user, code)
    return export_document([item])["items"][0] | {"status": item.status}


@router.patch(
    "/items/{itemcode:code}",
    response={200: ItemSummaryOut, 409: ErrorOut, **ERRORS},
    summary="Change an item's content (a new version once learners have seen it)",
)
def patch_item(request: HttpRequest, code: str, payload: ItemPatch) -> dict[str, Any]:
    item = access_item(request.user, code)
    # One service call, validated as a whole: a refusal leaves the item exactly as it was.
    version = services.edit_item(
        request.user,
        item,
        _content(payload),
        capacity=_capacity(payload.capacity) if payload.capacity else None,
        intended_level=payload.level,
    )
    item.refresh_from_db()
    return _summary(item, version)


@router.post(
    "/items/{itemcode:code}/status",
    response={200: ItemSummaryOut, 409: ErrorOut, **ERRORS},
    summary="Move an item along the review workflow",
)
def change_status(request: HttpRequest, code: str, payload: StatusIn) -> dict[str, Any]:
    item = access_item(request.user, code)
    item = services.change_status(request.user, item, payload.status, payload.comment)
    return _summary(item, item.latest_version())


class MediaOut(Schema):
    id: int
    url: str
    snippet: str
    width: int
    height: int


@router.post(
    "/items/media",
    response={201: MediaOut, 413: ErrorOut, **ERRORS},
    summary="Upload an image for items (PNG, JPEG or WebP, 2 MB at most, with alt text)",
)
def upload_media(
    request: HttpRequest, file: File[UploadedFile], alt_fr: Form[str], alt_en: Form[str] = ""
) -> Status:
    _authoring(request)
    if len(alt_fr) > 300 or len(alt_en) > 300:
        raise ApiError(
            422,
            "invalid_input",
            _("Texte alternatif trop long (300 caractères)."),
            {"alt_fr": [_("300 caractères au plus.")]},
        )
    media = services.upload_media(request.user, file, alt_fr, alt_en)
    return Status(
        201,
        {
            "id": media.pk,
            "url": media.file.url,
            "snippet": media.snippet(),
            "width": media.width,
            "height": media.height,
        },
    )
