"""The item pages of the authoring site (/auteur/items/item/): the list with the stem's first
words and filters, the edit form with the structured answer editor (a new version when the
current one was seen), workflow buttons, preview as a learner sees it, version diff, bulk
status changes, and the panels other apps add (items.panels)."""

from __future__ import annotations

import difflib
import json
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from palier.items import services
from palier.items.access import access_item
from palier.items.admin_base import DistinctSearchAdmin, ReadOnlyInline
from palier.items.authoring_site import authoring_site
from palier.items.content import CONTENT_FIELDS
from palier.items.errors import ItemError
from palier.items.forms import ItemAuthoringForm
from palier.items.item_filters import AreaFilter, CompetenceFilter, LanguageFilter
from palier.items.models import Item, ItemParameter, ItemVersion, ReviewComment
from palier.items.panels import item_panels
from palier.items.rendering import learner_view
from palier.items.workflow import available_targets

PREVIEW_SEED = 0
# Words of the stem shown in the item list.
STEM_WORDS = 12
CLASSIFICATION = ("capacity", "intended_level")
TRANSITION_LABELS = {
    Item.Status.REVIEW: _("Envoyer en relecture"),
    Item.Status.PRETEST: _("Approuver (passage en prétest)"),
    Item.Status.DRAFT: _("Renvoyer en brouillon"),
    Item.Status.OPERATIONAL: _("Rendre opérationnel"),
    Item.Status.RETIRED: _("Retirer de la banque"),
}


class ReviewCommentInline(ReadOnlyInline):
    model = ReviewComment
    fields = ["created_at", "author", "kind", "version", "body"]


class VersionInline(ReadOnlyInline):
    model = ItemVersion
    fields = ["number", "format", "created_by", "created_at", "frozen_at", "compare"]

    @admin.display(description=_("comparer"))
    def compare(self, version: ItemVersion) -> str:
        if version.number == 1:
            return "—"
        url = reverse("authoring:items_item_diff", args=[version.item_id])
        return format_html(
            '<a href="{}?from={}&to={}">{}</a>',
            url,
            version.number - 1,
            version.number,
            _("avec la version précédente"),
        )


@admin.register(Item, site=authoring_site)
class ItemAdmin(DistinctSearchAdmin):
    form = ItemAuthoringForm
    change_form_template = "items/admin/change_form.html"
    list_display = [
        "code",
        "stem_start",
        "status",
        "intended_level",
        "capacity_code",
        "item_format",
        "languages",
        "updated_at",
    ]
    list_filter = [
        "status",
        AreaFilter,
        CompetenceFilter,
        "intended_level",
        LanguageFilter,
        "versions__format",
        "author",
    ]
    search_fields = ["code", "versions__stem_fr", "versions__stem_en", "capacity__code"]
    list_select_related = ["capacity", "author"]
    inlines = [VersionInline, ReviewCommentInline]
    actions = ["make_operational", "retire"]
    fieldsets = (
        (None, {"fields": ("code", "capacity", "intended_level", "enemy_group")}),
        (
            _("Contenu (dernière version)"),
            {
                "fields": CONTENT_FIELDS,
            },
        ),
        (_("Relecture"), {"fields": ("review_comment",)}),
        (_("Paramètres psychométriques"), {"fields": ("active_parameters",)}),
    )
    readonly_fields = ["active_parameters"]

    @admin.display(description=_("calibration active"))
    def active_parameters(self, item: Item) -> str:
        parameter = (
            ItemParameter.objects.filter(item_version__item=item, calibration__is_active=True)
            .select_related("calibration", "item_version")
            .order_by("-item_version__number")
            .first()
        )
        if parameter is None:
            return str(_("Aucun paramètre dans la calibration active."))
        label = (
            _("PROVISOIRES, d'après le niveau visé")
            if parameter.calibration.is_provisional
            else _("estimés sur des réponses")
        )
        return format_html(
            "a = {}, b = {} (version {}, {} : <strong>{}</strong>)",
            f"{parameter.discrimination:.2f}",
            f"{parameter.difficulty:.2f}",
            parameter.item_version.number,
            parameter.calibration.name,
            label,
        )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Item]:
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match is not None and match.url_name == "items_item_changelist":
            # The list shows each item's latest version: one query for the page, not one per row.
            newest_first = ItemVersion.objects.order_by("item", "-number")
            queryset = queryset.prefetch_related(
                Prefetch("versions", queryset=newest_first, to_attr="newest_first")
            )
        return queryset

    @admin.display(description=_("énoncé"))
    def stem_start(self, item: Item) -> str:
        version = _latest(item)
        return Truncator(strip_tags(version.stem)).words(STEM_WORDS) if version else "—"

    @admin.display(description=_("capacité"), ordering="capacity__code")
    def capacity_code(self, item: Item) -> str:
        return item.capacity.code

    @admin.display(description=_("format"))
    def item_format(self, item: Item) -> str:
        version = _latest(item)
        return version.get_format_display() if version else "—"

    @admin.display(description=_("langues"))
    def languages(self, item: Item) -> str:
        version = _latest(item)
        return ", ".join(version.languages) if version else "—"

    def save_model(
        self, request: HttpRequest, obj: Item, form: ItemAuthoringForm, change: bool
    ) -> None:
        # The item services write; this admin never saves the form's instance itself.
        if not change:
            item = services.create_item(
                request.user, obj.code, obj.capacity, obj.intended_level, form.content()
            )
            services.set_enemy_group(request.user, item, form.cleaned_data["enemy_group"])
            obj.pk = item.pk
            obj.refresh_from_db()
            return
        if any(name in form.changed_data for name in (*CONTENT_FIELDS, *CLASSIFICATION)):
            before = _snapshot(obj.latest_version())
            version = services.edit_item(
                request.user,
                obj,
                form.content(),
                capacity=form.cleaned_data["capacity"],
                intended_level=form.cleaned_data["intended_level"],
            )
            obj.refresh_from_db()
            if _snapshot(version) != before:  # say "saved" only when something was written
                messages.info(
                    request,
                    _("Contenu enregistré dans la version %(number)s.")
                    % {"number": version.number},
                )
        if "enemy_group" in form.changed_data:
            services.set_enemy_group(request.user, obj, form.cleaned_data["enemy_group"])
        comment = form.cleaned_data.get("review_comment", "")
        if comment.strip() and "_transition" not in request.POST:
            services.add_comment(request.user, obj, comment)

    def response_change(self, request: HttpRequest, obj: Item) -> HttpResponse:
        target = request.POST.get("_transition")
        if target:
            try:
                services.change_status(
                    request.user, obj, target, request.POST.get("review_comment", "")
                )
            except ItemError as error:
                details = " ".join(m for ms in error.fields.values() for m in ms)
                self.message_user(
                    request,
                    _("Statut inchangé : %(reason)s")
                    % {"reason": f"{error.message} {details}".strip()},
                    messages.ERROR,
                )
            else:
                obj.refresh_from_db()
                self.message_user(
                    request,
                    _("Statut : %(status)s.") % {"status": obj.get_status_display()},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict,
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ):
        if obj is not None:
            context["transitions"] = [
                (target, TRANSITION_LABELS[target])
                for target in available_targets(request.user, obj, obj.latest_version())
            ]
            context["preview_url"] = reverse("authoring:items_item_preview", args=[obj.pk])
            context["item_panels"] = item_panels(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/apercu/", view(self.preview_view), name="items_item_preview"),
            path("<int:pk>/comparer/", view(self.diff_view), name="items_item_diff"),
            *super().get_urls(),
        ]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        raise PermissionDenied  # items are retired, never deleted

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        raise PermissionDenied

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Inlines here are read-only and the services already wrote everything."""

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = access_item(request.user, pk=pk)
        version = item.latest_version()
        if version is None:
            raise Http404
        theme = request.GET.get("theme", "neutral")
        if theme not in ("neutral", "dsfr"):
            theme = "neutral"
        language = (
            request.GET.get("lang", "fr") if request.GET.get("lang") in ("fr", "en") else "fr"
        )
        return TemplateResponse(
            request,
            "items/preview.html",
            {
                "item": item,
                "version": version,
                "view": learner_view(version, PREVIEW_SEED, language),
                "palier_theme": theme,
                "theme_base": f"themes/{theme}/base.html",
                "other_theme": "dsfr" if theme == "neutral" else "neutral",
                "language": language,
            },
        )

    def diff_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = access_item(request.user, pk=pk)
        versions = {version.number: version for version in item.versions.all()}
        try:
            old = versions[int(request.GET.get("from", 0))]
            new = versions[int(request.GET.get("to", 0))]
        except (KeyError, ValueError) as error:
            raise Http404 from error
        table = difflib.HtmlDiff(wrapcolumn=70).make_table(
            _version_lines(old),
            _version_lines(new),
            fromdesc=f"v{old.number}",
            todesc=f"v{new.number}",
        )
        return TemplateResponse(
            request,
            "items/admin/diff.html",
            {
                **self.admin_site.each_context(request),
                "item": item,
                "old": old,
                "new": new,
                "table": table,
                "title": _("Comparer deux versions"),
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Rendre opérationnels (psychométriciens)"))
    def make_operational(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        self._bulk(request, queryset, Item.Status.OPERATIONAL)

    @admin.action(description=_("Retirer de la banque (psychométriciens)"))
    def retire(self, request: HttpRequest, queryset: QuerySet[Item]) -> None:
        self._bulk(request, queryset, Item.Status.RETIRED)

    def _bulk(self, request: HttpRequest, queryset: QuerySet[Item], target: str) -> None:
        try:
            count = services.bulk_change_status(request.user, list(queryset), target)
        except ItemError as error:
            self.message_user(
                request,
                _("Aucun changement : %(error)s") % {"error": error.message},
                messages.ERROR,
            )
        else:
            message = ngettext("%(count)s item modifié.", "%(count)s items modifiés.", count)
            self.message_user(request, message % {"count": count}, messages.SUCCESS)


def _latest(item: Item) -> ItemVersion | None:
    """The latest version, from the list's prefetch when there is one."""
    prefetched = getattr(item, "newest_first", None)
    if prefetched is not None:
        return prefetched[0] if prefetched else None
    return item.latest_version()


def _snapshot(version: ItemVersion | None) -> tuple[Any, ...] | None:
    """What an edit can change in a version (its id tells a new version from an edit)."""
    if version is None:
        return None
    fields = ("pk", *CONTENT_FIELDS, "capacity_id", "intended_level")
    return tuple(getattr(version, "stimulus_id" if name == "stimulus" else name) for name in fields)


def _version_lines(version: ItemVersion) -> list[str]:
    lines = [
        f"format: {version.format}",
        f"stimulus: {version.stimulus_version or '-'}",
        f"capacité: {version.capacity.code}",
        f"niveau visé: {version.intended_level}",
        "énoncé (fr):",
        *version.stem_fr.splitlines(),
        "énoncé (en):",
        *version.stem_en.splitlines(),
        "définition:",
        *json.dumps(version.definition, ensure_ascii=False, indent=2).splitlines(),
        "explication (fr):",
        *version.feedback_fr.splitlines(),
        "explication (en):",
        *version.feedback_en.splitlines(),
        f"référence: {version.source}",
        f"durée: {version.estimated_seconds}",
    ]
    return lines
