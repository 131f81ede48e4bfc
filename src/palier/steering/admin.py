"""Steering records in the platform administration (targets, calls and awards are managed on
the steering pages; the administration is the operator's fallback)."""

from django.contrib import admin

from palier.accounts.admin_site import admin_site
from palier.steering import models


@admin.register(models.Target, site=admin_site)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "title_fr", "indicator", "kind", "value", "year")
    list_filter = ("indicator", "kind", "is_active")


@admin.register(models.FundingCall, site=admin_site)
class FundingCallAdmin(admin.ModelAdmin):
    list_display = ("code", "title_fr", "budget_euros", "opens_on", "closes_on")


@admin.register(models.Award, site=admin_site)
class AwardAdmin(admin.ModelAdmin):
    list_display = ("code", "title_fr", "organisation", "amount_euros", "is_demo")
    list_filter = ("call", "is_demo")
    raw_id_fields = ("organisation",)
