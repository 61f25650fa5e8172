from django.contrib import admin

from fabflow.bulk.models import BulkJob, BulkJobItem


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    list_display = ["id", "action", "organization", "order_count", "status", "created_at"]
    list_filter = ["status", "action"]
    raw_id_fields = ["organization", "space", "created_by_user", "created_by_key"]
    show_full_result_count = False


@admin.register(BulkJobItem)
class BulkJobItemAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "order", "outcome", "acted_at", "finished_at"]
    list_filter = ["outcome"]
    raw_id_fields = ["job", "order"]
    show_full_result_count = False
