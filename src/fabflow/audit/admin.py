"""The audit trail in the operators' admin site: read only, since a record is evidence."""

from django.contrib import admin

from fabflow.audit.models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["at", "organization", "actor_label", "action", "object_kind", "object_label"]
    list_filter = ["action", "actor_kind"]
    raw_id_fields = ["organization", "space"]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
