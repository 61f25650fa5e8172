from django.contrib import admin

from fabflow.flows.models import FlowRun, FlowVersion, OrderFlow, TaskRun


@admin.register(OrderFlow)
class OrderFlowAdmin(admin.ModelAdmin):
    list_display = ["name", "key", "space", "updated_at"]
    list_filter = ["space"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "key", "space", "organization"] if obj else []


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    list_display = ["flow", "number", "created_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(FlowRun)
class FlowRunAdmin(admin.ModelAdmin):
    list_display = ["order", "flow_version", "status", "started_at", "finished_at"]
    list_filter = ["status"]
    raw_id_fields = ["order"]


@admin.register(TaskRun)
class TaskRunAdmin(admin.ModelAdmin):
    list_display = ["task_key", "order", "handler_key", "status", "attempt", "deadline_at"]
    list_filter = ["status", "handler_key"]
    raw_id_fields = ["order", "run"]
