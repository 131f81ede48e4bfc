"""Authoring pages (/auteur/) other than items (items/item_admin.py): stimuli, the image
library, problem-report triage, calibrations and their activations (read-only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from palier.accounts.roles import Role
from palier.items import (
    item_admin,  # noqa: F401  (registers the item pages)
    services,
)
from palier.items.access import access_media, access_problem_reports
from palier.items.admin_base import DistinctSearchAdmin, ReadOnlyInline, RoleAdmin
from palier.items.authoring_site import authoring_site
from palier.items.forms import STIMULUS_TEXT_FIELDS, StimulusAuthoringForm
from palier.items.media import MediaError, check_image
from palier.items.models import (
    Calibration,
    CalibrationActivation,
    ItemParameter,
    Media,
    ProblemReport,
    Stimulus,
    StimulusVersion,
)


class StimulusVersionInline(ReadOnlyInline):
    model = StimulusVersion
    fields = ["number", "title_fr", "created_by", "created_at", "frozen_at"]


@admin.register(Stimulus, site=authoring_site)
class StimulusAdmin(DistinctSearchAdmin):
    """Stimuli are edited through `services.update_stimulus`: a version learners saw is never
    changed, the edit becomes a new version."""

    form = StimulusAuthoringForm
    list_display = ["code", "kind", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["code", "versions__title_fr", "versions__content_fr"]
    inlines = [StimulusVersionInline]
    fieldsets = (
        (None, {"fields": ("code", "kind")}),
        (_("Textes (dernière version)"), {"fields": STIMULUS_TEXT_FIELDS}),
    )

    def save_model(
        self, request: HttpRequest, obj: Stimulus, form: StimulusAuthoringForm, change: bool
    ) -> None:
        if not change:
            stimulus = services.create_stimulus(request.user, obj.code, form.content())
            obj.pk = stimulus.pk
            obj.refresh_from_db()
            return
        version = services.update_stimulus(request.user, obj, form.content())
        obj.refresh_from_db()
        messages.info(
            request,
            _("Textes enregistrés dans la version %(number)s.") % {"number": version.number},
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The version inline is read-only; the services wrote everything."""


class MediaForm(forms.ModelForm):
    class Meta:
        model = Media
        fields = ["file", "alt_fr", "alt_en"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_image(upload)
        except MediaError as error:
            raise forms.ValidationError(error.message) from error
        return upload


@admin.register(Media, site=authoring_site)
class MediaAdmin(RoleAdmin):
    """Image library: upload, then paste the HTML snippet into a stem or a stimulus."""

    form = MediaForm
    list_display = ["preview", "alt_fr", "width", "height", "created_at"]
    search_fields = ["alt_fr", "alt_en"]
    readonly_fields = ["snippet_to_paste", "width", "height"]

    @admin.display(description=_("aperçu"))
    def preview(self, media: Media) -> str:
        return format_html('<img src="{}" alt="{}" height="48">', media.file.url, media.alt_fr)

    @admin.display(description=_("code à coller dans l'énoncé"))
    def snippet_to_paste(self, media: Media) -> str:
        return format_html("<code>{}</code>", media.snippet()) if media.pk else "—"

    def save_model(self, request: HttpRequest, obj: Media, form: Any, change: bool) -> None:
        data = form.cleaned_data
        if not change:
            media = services.upload_media(
                request.user, data["file"], data["alt_fr"], data.get("alt_en", "")
            )
            obj.pk = media.pk
            obj.refresh_from_db()
            return
        upload = data["file"] if "file" in form.changed_data else None
        services.update_media(
            request.user,
            access_media(request.user, obj.pk),
            data["alt_fr"],
            data.get("alt_en", ""),
            upload,
        )


@admin.register(ProblemReport, site=authoring_site)
class ProblemReportAdmin(RoleAdmin):
    list_display = ["created_at", "item_version", "category", "status", "comment"]
    list_filter = ["status", "category"]
    search_fields = ["item_version__item__code", "comment"]
    readonly_fields = [
        "item_version",
        "reporter",
        "category",
        "comment",
        "created_at",
        "handled_at",
    ]
    actions = ["mark_resolved", "mark_dismissed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Marquer comme traités"))
    def mark_resolved(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._handle(request, queryset, ProblemReport.Status.RESOLVED)

    @admin.action(description=_("Écarter"))
    def mark_dismissed(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._handle(request, queryset, ProblemReport.Status.DISMISSED)

    def _handle(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        ids = access_problem_reports(request.user, list(queryset.values_list("pk", flat=True)))
        services.handle_problem_reports(request.user, ids, status)


class ParameterInline(ReadOnlyInline):
    model = ItemParameter
    fields = ["item_version", "discrimination", "difficulty", "guessing"]


@admin.register(Calibration, site=authoring_site)
class CalibrationAdmin(RoleAdmin):
    """Calibrations are immutable: shown, never edited here."""

    list_display = ["name", "framework", "source", "synthetic", "is_active", "created_at"]
    list_filter = ["source", "synthetic", "is_active", "framework"]
    readonly_fields = [
        "name",
        "framework",
        "source",
        "synthetic",
        "is_active",
        "notes",
        "created_at",
    ]
    inlines = [ParameterInline]
    write_roles = (Role.PSYCHOMETRICIAN,)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(CalibrationActivation, site=authoring_site)
class CalibrationActivationAdmin(RoleAdmin):
    """The audit trail of activations and roll-backs: read-only (the calibration pages and
    `items/calibrations.py` write it)."""

    list_display = ["at", "framework", "action", "calibration", "previous", "by"]
    list_filter = ["action", "framework"]
    readonly_fields = ["at", "framework", "action", "calibration", "previous", "by", "reason"]
    write_roles = ()
