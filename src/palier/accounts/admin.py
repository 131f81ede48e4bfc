from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import admin_site
from palier.accounts.models import (
    LearnerProfile,
    Membership,
    Organisation,
    RoleAssignment,
    User,
)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation", "user"]


@admin.register(User, site=admin_site)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "email_confirmed_at", "is_active"]
    list_filter = ["is_active", "is_staff", "role_assignments__role"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["pseudonym", "date_joined", "last_login", "erased_at"]
    inlines = [RoleAssignmentInline, MembershipInline]
    fieldsets = (
        (None, {"fields": ("email", "password", "pseudonym")}),
        (_("Identité"), {"fields": ("first_name", "last_name")}),
        (
            _("État"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "email_confirmed_at",
                    "erased_at",
                    "date_joined",
                    "last_login",
                )
            },
        ),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    filter_horizontal = ()


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "region", "is_demo"]
    list_filter = ["type", "region", "is_demo"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(LearnerProfile, site=admin_site)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "population", "status", "year_of_study", "region"]
    list_filter = ["status", "region", "population"]
    raw_id_fields = ["user"]
