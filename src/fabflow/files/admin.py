from django.contrib import admin

from fabflow.files.models import ExportTarget, ThumbnailJob


@admin.register(ExportTarget)
class ExportTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "kind", "location", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["organization", "name", "kind"]}),
        ("Folder", {"fields": ["path"]}),
        ("S3", {"fields": ["bucket", "prefix", "endpoint_url", "region", "credentials_env"]}),
    ]


@admin.register(ThumbnailJob)
class ThumbnailJobAdmin(admin.ModelAdmin):
    list_display = ["asset", "status", "created_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["asset", "preview"]
    readonly_fields = ["created_at", "finished_at", "error", "image_name"]
    show_full_result_count = False
