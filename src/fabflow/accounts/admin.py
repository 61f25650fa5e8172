"""The models of the accounts app on Django's admin site, which only operators may use."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from fabflow.accounts.models import Organization, ProductSpace, SecretKey, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "organization", "is_admin", "is_active", "is_staff"]
    list_filter = ["is_admin", "is_active", "is_staff", "organization"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "organization", "tags"]}),
        # Staff and superuser follow from the organization (the user_is_member_or_operator
        # constraint): an operator is made with `fabflow createoperator`, never by a tick here.
        ("Access", {"fields": ["is_active", "is_admin"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "organization", "password1", "password2"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        """An operator's own form has no organization admin flag: operators are never admins."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.is_operator:
            return fieldsets
        return [
            (title, {**options, "fields": [f for f in options["fields"] if f != "is_admin"]})
            for title, options in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        """A user's organization, which decides member or operator, is kept once made."""
        return ["organization"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        """A user added here is a member of an organization: operators are made by command."""
        form = super().get_form(request, obj, **kwargs)
        if obj is None:
            form.base_fields["organization"].required = True
        return form


@admin.register(ProductSpace)
class ProductSpaceAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "organization", "generator", "created_at"]
    list_filter = ["organization"]
    search_fields = ["name", "key"]
    exclude = ["signing_secret"]


@admin.register(SecretKey)
class SecretKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "key_id", "space", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["space"]
    readonly_fields = ["key_id", "digest", "created_by", "created_at", "last_used_at"]
