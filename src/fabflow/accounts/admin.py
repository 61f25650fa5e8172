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
    list_display = ["email", "name", "organization", "is_admin", "is_active"]
    list_filter = ["is_admin", "is_active", "is_staff", "organization"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["name", "organization", "tags"]}),
        ("Access", {"fields": ["is_active", "is_admin", "is_staff", "is_superuser"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["email", "organization", "password1", "password2"]}),
    ]


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
