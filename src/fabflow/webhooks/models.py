"""Webhook subscriptions of an organization and the deliveries of its events to them.

A `Delivery` is written in the transaction that writes the order's history line it announces
(the transactional outbox): it exists exactly when the change committed, and the worker sends it
until the receiver accepts it or a day has passed (`webhooks/delivery.py`).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fabflow import fields
from fabflow.accounts.models import ProductSpace, User
from fabflow.accounts.tenancy import organization_column, space_column
from fabflow.ids import uuid7
from fabflow.limits import MAX_WEBHOOK_URL_LENGTH, WEBHOOK_MAX_RESPONSE_BYTES


class EventType(models.TextChoices):
    """What a subscription may ask to hear of (docs/api.md, "Webhooks")."""

    ORDER_CREATED = "order.created", "Order created"  # an order was created
    ORDER_UPDATED = "order.updated", "Order updated"  # its deadline, tags or data changed
    ORDER_STATUS_CHANGED = "order.status_changed", "Order status changed"
    TASK_WAITING = "task.waiting", "Task waiting"  # a task waits for a person or for feedback
    TASK_FAILED = "task.failed", "Task failed"  # a task failed after its retries
    TASK_OVERDUE = "task.overdue", "Task overdue"  # an active task passed its deadline
    PRODUCTION_FILES_READY = "files.production_ready", "Production files ready"
    FLOW_FINISHED = "flow.finished", "Flow finished"  # every stage of the order's flow is done


class Subscription(models.Model):
    """An endpoint of an organization that hears of the event types it names, for the orders
    of one product space or (no space) of all of them."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = organization_column()
    space = models.ForeignKey(
        ProductSpace, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    url = models.CharField(max_length=MAX_WEBHOOK_URL_LENGTH)
    event_types = fields.JSONField(default=list, shape=list)
    # Signs every delivery (X-Fabflow-Signature); shown once when created or rotated.
    secret = models.CharField(max_length=100)
    is_enabled = models.BooleanField(default=True)
    # The first failed delivery since the last one accepted; a day of failures switches it off.
    failing_since = fields.DateTimeField(null=True, blank=True)
    # Set when Fabflow switched the subscription off: why, for the notice on its page.
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    updated_at = fields.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]
        # Every recorded change asks for its organization's enabled subscriptions.
        indexes = [
            models.Index(fields=["organization", "is_enabled"], name="subscription_org_enabled")
        ]

    def __str__(self) -> str:
        return self.url

    def listed_event_types(self) -> list[str]:
        """The event types it hears of; none when the stored list cannot be read."""
        return self.event_types if isinstance(self.event_types, list) else []


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its first or next attempt
    DELIVERED = "delivered", "Delivered"  # the receiver answered 2xx
    FAILED = "failed", "Given up"  # a day of failed attempts, or refused for good


class Delivery(models.Model):
    """One event on its way to one subscription; its id is the body's and the header's."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = organization_column()
    space = space_column()
    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    # The order and its history line, without foreign keys: a delivery outlives neither, but the
    # history is written first and must not wait on this table.
    order_id = models.UUIDField()
    event_id = models.UUIDField()
    event_type = models.CharField(max_length=40, choices=EventType.choices)
    # Deliveries of one order to one subscription go out in this order, one at a time: the
    # history line's time in microseconds, times 1024, plus its place among the lines written
    # together.
    rank = models.BigIntegerField()
    body = fields.JSONField(default=dict, shape=dict)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = fields.DateTimeField(default=timezone.now)
    # Failed attempts are retried until then (a day after it was written, or resent).
    give_up_at = fields.DateTimeField()
    # A worker sending it holds it until then; a worker killed mid-send lets it go this way.
    leased_until = fields.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    last_attempt_at = fields.DateTimeField(null=True, blank=True)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # The start of the last attempt's answer as received, as text every page can show (none when
    # no answer came: `last_error` says why); `response_cut` when the answer went on past it.
    response_body = fields.CharField(max_length=WEBHOOK_MAX_RESPONSE_BYTES, blank=True, default="")
    response_cut = models.BooleanField(default=False)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    finished_at = fields.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The worker's scan for what is due.
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=Q(status="pending"),
            ),
            # An earlier pending delivery of the same order holds a later one back.
            models.Index(fields=["subscription", "order_id", "rank"], name="delivery_sequence"),
            # The subscription's page: its recent deliveries.
            models.Index(fields=["subscription", "-created_at"], name="delivery_recent"),
            # The worker's purge of deliveries finished long ago.
            models.Index(fields=["finished_at"], name="delivery_finished"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in DeliveryStatus]),
                name="delivery_status_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.subscription_id}"
