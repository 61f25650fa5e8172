from django.contrib import admin

from fabflow.orders.models import Asset, Order, OrderEvent, OrderStatusCount, Part, Product


class ProductInline(admin.TabularInline):
    model = Product
    fields = ["name", "units", "unit_value", "deadline"]
    extra = 0
    show_change_link = True


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "value", "space", "created_at", "deadline"]
    list_filter = ["status", "space"]
    search_fields = ["name", "id"]
    date_hierarchy = "created_at"
    readonly_fields = ["request_digest", "created_at"]
    inlines = [ProductInline]
    show_full_result_count = False


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "units", "unit_value", "created_at"]
    search_fields = ["name", "id"]
    raw_id_fields = ["order"]
    show_full_result_count = False


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ["name", "product", "order", "created_at"]
    search_fields = ["name", "id"]
    raw_id_fields = ["product", "order"]
    show_full_result_count = False


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ["filename", "kind", "size", "content_type", "created_at"]
    list_filter = ["kind"]
    raw_id_fields = ["order", "product", "part"]


@admin.register(OrderEvent)
class OrderEventAdmin(admin.ModelAdmin):
    list_display = ["order", "type", "actor_label", "created_at"]
    list_filter = ["type"]
    raw_id_fields = ["order", "actor_user", "actor_key"]


@admin.register(OrderStatusCount)
class OrderStatusCountAdmin(admin.ModelAdmin):
    """The dashboard's counters, to read: the status changes write them, never a person."""

    list_display = ["space", "status", "shard", "count"]
    list_filter = ["status"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
