"""Filters of the item list in the authoring site: area, competence, languages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from palier.frameworks.models import Area, Competence


class AreaFilter(admin.SimpleListFilter):
    title = _("domaine")
    parameter_name = "area"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [
            (area.code, f"{area.code} {area.title}")
            for area in Area.objects.filter(framework__status="published").order_by("number")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(capacity__competence__area__code=self.value())
        return queryset


class CompetenceFilter(admin.SimpleListFilter):
    title = _("compétence")
    parameter_name = "competence"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        competences = Competence.objects.filter(area__framework__status="published")
        if request.GET.get("area"):
            competences = competences.filter(area__code=request.GET["area"])
        return [(c.code, f"{c.code} {c.title}") for c in competences.order_by("code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value():
            return queryset.filter(capacity__competence__code=self.value())
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    title = _("langues")
    parameter_name = "english"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", _("traduit en anglais")), ("no", _("français seulement"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.exclude(versions__stem_en="").distinct()
        if self.value() == "no":
            return queryset.filter(versions__stem_en="").distinct()
        return queryset
