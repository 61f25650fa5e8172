"""Orders, their products and parts, the files attached to them, and the order's event log."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fabflow import fields
from fabflow.accounts.actor_columns import key_column, user_column
from fabflow.accounts.tenancy import TenantModel
from fabflow.ids import uuid7
from fabflow.orders import search


class OrderStatus(models.TextChoices):
    CREATED = "created", "Created"  # no order flow has started yet
    IN_PROGRESS = "in_progress", "In progress"  # the order flow is running
    SUCCESS = "success", "Success"  # every stage of the flow is done
    UNHEALTHY = "unhealthy", "Unhealthy"  # an active task is past its deadline
    FAILURE = "failure", "Failure"  # a task failed after its retries


class Order(TenantModel):
    """A request from a webshop for something to be made: products, each made of parts."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    name = models.CharField(max_length=200)
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.CREATED
    )
    value = fields.DecimalField(max_digits=14, decimal_places=2)
    deadline = fields.DateTimeField(null=True, blank=True)
    tags = fields.JSONField(default=list, blank=True, shape=list)
    data = fields.JSONField(default=dict, blank=True, shape=dict)
    addresses = fields.JSONField(default=list, blank=True, shape=list)
    # The key of the flow requested at creation, kept so an identical re-create matches.
    flow_key = models.CharField(max_length=100, blank=True)
    # sha256 of the canonical creation request: an identical re-create returns this order.
    request_digest = models.CharField(max_length=64, editable=False)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    updated_at = fields.DateTimeField(default=timezone.now)
    # When the order last reached Success; cleared when it leaves Success (a new run).
    finished_at = fields.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["space", "name"], name="order_name_unique_in_space"),
            models.CheckConstraint(condition=Q(value__gte=0), name="order_value_not_negative"),
        ]
        # Every sortable column has an index ending in id: lists sort by (column, id), so a
        # page is read straight off the index even where many rows share a value.
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="order_org_created"),
            models.Index(fields=["organization", "status", "-created_at"], name="order_org_status"),
            models.Index(fields=["organization", "name", "id"], name="order_org_name_id"),
            models.Index(fields=["organization", "value", "id"], name="order_org_value_id"),
            models.Index(fields=["organization", "deadline", "id"], name="order_org_deadline_id"),
            models.Index(fields=["space", "-created_at"], name="order_space_created"),
            models.Index(fields=["space", "status", "-created_at"], name="order_space_status"),
            # The dashboard's finished orders per day and lead times, read from the index alone.
            models.Index(
                fields=["organization", "finished_at", "flow_key", "created_at"],
                name="order_org_finished",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class OrderStatusCount(TenantModel):
    """How many orders of a space have a status, kept in the transaction of every change.

    Counting a status over a million orders reads a million index entries; the dashboard sums
    these rows instead. Each (space, status) count is spread over `SHARDS` rows, an order always
    adding to the row its id picks, so concurrent changes of different orders rarely wait for
    the same row (orders/status_counts.py writes them).
    """

    SHARDS = 8

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    status = models.CharField(max_length=20, choices=OrderStatus.choices)
    shard = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["space", "status", "shard"], name="order_status_count_unique"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="status_count_org")]

    def __str__(self) -> str:
        return f"{self.status}: {self.count}"


class OrderSearchRow(models.Model):
    """An order's row in the text index, which `orders/search.py` creates and writes.

    Unmanaged: the index is an FTS5 table on SQLite and a `tsvector` table on PostgreSQL that
    migrations create by SQL; the model only lets an order query join it (`search_row`).
    """

    order = models.OneToOneField(
        Order,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_row",
    )
    document = search.DocumentField()

    class Meta:
        managed = False
        db_table = search.TABLE

    def __str__(self) -> str:
        return f"Index row of order {self.order_id}"


class Product(TenantModel):
    """One ordered item with its configuration; `units` of it are to be made."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="products")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    units = models.PositiveIntegerField()
    unit_value = fields.DecimalField(max_digits=14, decimal_places=2)
    deadline = fields.DateTimeField(null=True, blank=True)
    configuration = fields.JSONField(default=dict, blank=True, shape=dict)
    data = fields.JSONField(default=dict, blank=True, shape=dict)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["order", "position"]
        constraints = [
            models.CheckConstraint(condition=Q(units__gte=1), name="product_units_at_least_one"),
            models.CheckConstraint(
                condition=Q(unit_value__gte=0), name="product_unit_value_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="product_org_created"),
            models.Index(fields=["organization", "name", "id"], name="product_org_name_id"),
            models.Index(fields=["organization", "units", "id"], name="product_org_units_id"),
            models.Index(
                fields=["organization", "unit_value", "id"], name="product_org_unit_value_id"
            ),
            models.Index(fields=["space", "-created_at"], name="product_space_created"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_deadline(self):
        """The product's own deadline, or its order's when it has none."""
        return self.deadline or self.order.deadline


class Part(TenantModel):
    """Something needed for a product to be complete: a printed piece, a stock item."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="parts")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=200)
    data = fields.JSONField(default=dict, blank=True, shape=dict)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["product", "position"]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="part_org_created"),
            models.Index(fields=["organization", "name", "id"], name="part_org_name_id"),
            models.Index(fields=["space", "-created_at"], name="part_space_created"),
        ]

    def __str__(self) -> str:
        return self.name


class AssetKind(models.TextChoices):
    PRODUCTION = "production", "Production file"  # what the shop floor makes the item from
    PREVIEW = "preview", "Preview"  # an image (or mesh) showing the item; becomes the thumbnail
    OTHER = "other", "Other"  # anything else worth keeping with the order


class Asset(TenantModel):
    """A file attached to exactly one order, product or part."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    order = models.ForeignKey(
        Order, null=True, blank=True, on_delete=models.CASCADE, related_name="assets"
    )
    product = models.ForeignKey(
        Product, null=True, blank=True, on_delete=models.CASCADE, related_name="assets"
    )
    part = models.ForeignKey(
        Part, null=True, blank=True, on_delete=models.CASCADE, related_name="assets"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150)
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=20, choices=AssetKind.choices, default=AssetKind.OTHER)
    storage_name = models.CharField(max_length=500)
    # Who made the file: "upload", or the task that generated it, so a re-run replaces its own.
    source = models.CharField(max_length=200, default="upload")
    created_at = fields.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(order__isnull=False, product__isnull=True, part__isnull=True)
                    | Q(order__isnull=True, product__isnull=False, part__isnull=True)
                    | Q(order__isnull=True, product__isnull=True, part__isnull=False)
                ),
                name="asset_has_exactly_one_owner",
            ),
            models.CheckConstraint(condition=Q(size__gte=0), name="asset_size_not_negative"),
        ]

    def __str__(self) -> str:
        return self.filename


class OrderEventType(models.TextChoices):
    CREATED = "created", "Order created"
    UPDATED = "updated", "Order updated"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSET_ADDED = "asset_added", "File added"
    ASSET_REPLACED = "asset_replaced", "File replaced"
    FLOW_STARTED = "flow_started", "Flow started"
    STAGE_STARTED = "stage_started", "Stage started"
    FLOW_FINISHED = "flow_finished", "Flow finished"
    TASK_STARTED = "task_started", "Task started"
    TASK_WAITING = "task_waiting", "Task waiting"
    TASK_SUCCEEDED = "task_succeeded", "Task succeeded"
    TASK_FAILED = "task_failed", "Task failed"
    TASK_OVERDUE = "task_overdue", "Task overdue"
    TASK_CONFIRMED = "task_confirmed", "Task confirmed"
    TASK_REJECTED = "task_rejected", "Task rejected"
    TASK_RETRIED = "task_retried", "Task retried"
    TASK_SKIPPED = "task_skipped", "Task skipped"


class OrderEvent(models.Model):
    """One line of an order's history: what changed, who or what changed it, and when."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Indexed by (order, created_at) below.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    type = models.CharField(max_length=30, choices=OrderEventType.choices)
    actor_user = user_column()
    actor_key = key_column()
    # The actor's name at the time, so the history reads right after a user or key is gone.
    actor_label = models.CharField(max_length=200)
    details = fields.JSONField(default=dict, blank=True, shape=dict)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["order", "created_at"], name="event_order_created")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} by {self.actor_label}"
