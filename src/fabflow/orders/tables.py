"""The Orders, Products and Parts tables of the web UI (and of their CSV exports)."""

import django_tables2 as tables

from fabflow.orders.models import Order, OrderStatus, Part, Product
from fabflow.web import display
from fabflow.web.tables import DateTimeColumn, FabflowTable, IdColumn, MoneyColumn

STATUS_LABELS = dict(OrderStatus.choices)


class OrderTable(FabflowTable):
    """Every order of the organization, newest first; rows matching the user's tags stand out."""

    name = tables.Column(verbose_name="Order", linkify=("order_detail", {"pk": tables.A("pk")}))
    status = tables.Column(verbose_name="Status")
    value = MoneyColumn(verbose_name="Value (€)")
    created_at = DateTimeColumn(verbose_name="Created at")
    deadline = DateTimeColumn(verbose_name="Deadline")
    tags = tables.Column(verbose_name="Tags", orderable=False, empty_values=())
    id = IdColumn(verbose_name="Order ID")

    preference_key = "orders"
    orderings = {
        "name": "name",
        "status": "status",
        "value": "value",
        "created_at": "createdAt",
        "deadline": "deadline",
        "id": "id",
    }
    hidden_by_default = ("tags", "id")
    always_visible = ("name",)

    class Meta(FabflowTable.Meta):
        model = Order
        fields = ()
        sequence = ("select", "name", "status", "value", "created_at", "deadline", "tags", "id")
        row_attrs = {"class": lambda record, table: "highlight" if table.is_mine(record) else ""}

    def __init__(self, *args, user_tags=None, **kwargs):
        self.user_tags = frozenset(display.texts(user_tags))
        super().__init__(*args, **kwargs)

    def is_mine(self, record) -> bool:
        """Whether the order carries one of the signed-in user's tags."""
        return bool(self.user_tags.intersection(display.texts(record.tags)))

    def render_status(self, record):
        return display.choice_html(record, "status", STATUS_LABELS)

    def value_status(self, record):
        return display.choice_text(record, "status", STATUS_LABELS)

    def render_tags(self, record):
        return display.tags_html(record.tags) or "—"

    def value_tags(self, record):
        return display.tags_text(record.tags)


class ProductTable(FabflowTable):
    """Every product of the organization's orders."""

    name = tables.Column(verbose_name="Product", linkify=("product_detail", {"pk": tables.A("pk")}))
    order = tables.Column(
        verbose_name="Order",
        accessor="order__name",
        linkify=("order_detail", {"pk": tables.A("order_id")}),
    )
    units = tables.Column(
        verbose_name="Amount of units", attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    unit_value = MoneyColumn(verbose_name="Value (€ per unit)")
    created_at = DateTimeColumn(verbose_name="Created at")
    id = IdColumn(verbose_name="Product ID")
    order_id = IdColumn(verbose_name="Order ID", accessor="order_id")

    preference_key = "products"
    orderings = {
        "name": "name",
        "order": "orderName",
        "units": "units",
        "unit_value": "unitValue",
        "created_at": "createdAt",
        "id": "id",
        "order_id": "orderId",
    }
    hidden_by_default = ("id", "order_id")
    always_visible = ("name",)

    class Meta(FabflowTable.Meta):
        model = Product
        fields = ()
        sequence = (
            "select",
            "name",
            "order",
            "units",
            "unit_value",
            "created_at",
            "id",
            "order_id",
        )


class PartTable(FabflowTable):
    """Every part of the organization's products."""

    name = tables.Column(verbose_name="Part", linkify=("part_detail", {"pk": tables.A("pk")}))
    product = tables.Column(
        verbose_name="Product",
        accessor="product__name",
        linkify=("product_detail", {"pk": tables.A("product_id")}),
    )
    order = tables.Column(
        verbose_name="Order",
        accessor="order__name",
        linkify=("order_detail", {"pk": tables.A("order_id")}),
    )
    created_at = DateTimeColumn(verbose_name="Created at")
    id = IdColumn(verbose_name="Part ID")
    product_id = IdColumn(verbose_name="Product ID", accessor="product_id")
    order_id = IdColumn(verbose_name="Order ID", accessor="order_id")

    preference_key = "parts"
    orderings = {
        "name": "name",
        "product": "productName",
        "order": "orderName",
        "created_at": "createdAt",
        "id": "id",
        "product_id": "productId",
        "order_id": "orderId",
    }
    hidden_by_default = ("id", "product_id", "order_id")
    always_visible = ("name",)

    class Meta(FabflowTable.Meta):
        model = Part
        fields = ()
        sequence = (
            "select",
            "name",
            "product",
            "order",
            "created_at",
            "id",
            "product_id",
            "order_id",
        )
