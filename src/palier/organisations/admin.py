"""Management site: organisations with their members, and the memberships on a user's page."""

from django.contrib import admin

from palier.accounts.admin import UserAdmin
from palier.accounts.admin_site import admin_site
from palier.accounts.models import User
from palier.organisations.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "user"]


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "region", "is_demo"]
    list_filter = ["type", "region", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


class UserWithMembershipsAdmin(UserAdmin):
    """The accounts user page, with the user's memberships below the roles."""

    inlines = [*UserAdmin.inlines, MembershipInline]


# Accounts registers its user page first (INSTALLED_APPS order); this one replaces it.
admin_site.unregister(User)
admin_site.register(User, UserWithMembershipsAdmin)
