from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from palier.accounts.admin_site import admin_site
from palier.accounts.models import LearnerProfile, RoleAssignment, User


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0


@admin.register(User, site=admin_site)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "email_confirmed_at", "is_active"]
    list_filter = ["is_active", "is_staff", "role_assignments__role"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = ["pseudonym", "date_joined", "last_login", "erased_at"]
    # The organisations app adds its membership inline (accounts does not import it).
    inlines = [RoleAssignmentInline]
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


@admin.register(LearnerProfile, site=admin_site)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "population", "status", "year_of_study", "region"]
    list_filter = ["status", "region", "population"]
    raw_id_fields = ["user"]
