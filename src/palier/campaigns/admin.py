"""Campaigns in the management site: listed for support, never their participants' results
(those are for the organisation's staff only)."""

from __future__ import annotations

from django.contrib import admin

from palier.accounts.admin_site import admin_site
from palier.campaigns.models import Campaign


@admin.register(Campaign, site=admin_site)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "opens_on", "closes_on", "code"]
    list_filter = ["kind", "sharing"]
    search_fields = ["name", "code", "organisation__name"]
    readonly_fields = ["code", "framework", "areas", "created_by"]
    exclude = ["populations"]
