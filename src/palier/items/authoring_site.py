"""The authoring site (/auteur/): item bank work for authors, reviewers, psychometricians."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import RoleGatedAdminSite
from palier.frameworks.queries import current_framework
from palier.items.content_check import MIN_LEVELS_PER_CAPACITY
from palier.items.queries import LEVELS, coverage, level_totals
from palier.items.workflow import AUTHORING_ROLES


class AuthoringSite(RoleGatedAdminSite):
    site_header = _("Palier — banque d'items")
    site_title = _("Palier — banque d'items")
    index_title = _("Rédaction et relecture des items")
    index_template = "items/admin/index.html"
    required_roles = AUTHORING_ROLES

    def get_urls(self) -> list[URLPattern]:
        return [
            path("couverture/", self.admin_view(self.coverage_view), name="coverage"),
            path("import/", self.admin_view(self.import_view), name="bank_import"),
            *super().get_urls(),
        ]

    def coverage_view(self, request):
        framework = current_framework()
        context = {
            **self.each_context(request),
            "title": _("Couverture de la banque"),
            "framework": framework,
            "levels": LEVELS,
            "areas": [
                (area, rows, level_totals(rows))
                for area, rows in (coverage(framework) if framework else [])
            ],
            "min_levels": MIN_LEVELS_PER_CAPACITY,
        }
        return TemplateResponse(request, "items/coverage.html", context)

    def import_view(self, request):
        from palier.items.import_views import import_view

        return import_view(self, request)


authoring_site = AuthoringSite(name="authoring")
