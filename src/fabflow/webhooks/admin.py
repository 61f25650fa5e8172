from django.contrib import admin

from fabflow.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "organization", "space", "is_enabled", "failing_since", "created_at"]
    list_filter = ["is_enabled"]
    exclude = ["secret"]
    raw_id_fields = ["organization", "space", "created_by"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "event_type", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event_type"]
    raw_id_fields = ["organization", "space", "subscription"]
    show_full_result_count = False
