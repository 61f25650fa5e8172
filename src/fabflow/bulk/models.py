"""Bulk actions on orders: a job over a set of orders fixed when it is created, and one item per
order that records what the job did to it (`bulk/runner.py` runs it in a worker).

An item's outcome is written in the transaction that acts on its order, so a job cut short by a
crash and run again skips every order it already acted on: no order is acted on twice.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fabflow import fields
from fabflow.accounts.actor_columns import key_column, user_column
from fabflow.accounts.models import ProductSpace
from fabflow.accounts.tenancy import organization_column
from fabflow.ids import uuid7
from fabflow.orders.models import Order


class BulkAction(models.TextChoices):
    """What a job does to each of its orders."""

    RETRY = "retry", "Retry failed tasks"  # each failed or overdue task of the order runs again
    SKIP = "skip", "Skip failed tasks"  # the flow moves on without its failed or overdue tasks
    CONFIRM = "confirm", "Confirm waiting tasks"  # each manual task waiting is confirmed
    REJECT = "reject", "Reject waiting tasks"  # each manual task waiting is rejected (a reason)
    START_FLOW = "start_flow", "Start a flow"  # the latest version of a flow starts on the order
    ADD_TAG = "add_tag", "Add a tag"
    REMOVE_TAG = "remove_tag", "Remove a tag"


class BulkJobStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", "Awaiting confirmation"  # asks first
    CANCELLED = "cancelled", "Cancelled"  # its creator said no to the confirmation
    QUEUED = "queued", "Queued"  # waits for a worker (one job per organization runs at a time)
    RUNNING = "running", "Running"  # acting on its orders
    SETTLING = "settling", "Waiting for the flows"  # acted; the tasks it set going still run
    FINISHED = "finished", "Finished"  # every order has its final outcome


class ItemOutcome(models.TextChoices):
    PENDING = "pending", "Pending"  # not acted on yet
    WORKING = "working", "Working"  # acted on; the tasks set going have not finished yet
    DONE = "done", "Done"  # the action had the effect the job page describes for it
    REFUSED = "refused", "Refused"  # the action was not allowed on this order (the reason)
    FAILED = "failed", "Failed"  # the action, or the task it set going, failed (the error)


class BulkJob(models.Model):
    """One bulk action over a fixed set of orders, by a user or a secret key."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = organization_column()
    # A key's job belongs to the key's space; a user's job to the whole organization.
    space = models.ForeignKey(
        ProductSpace, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=20, choices=BulkAction.choices)
    # The action's arguments: comment, reason, flowKey or tag (see bulk/services.py).
    arguments = fields.JSONField(default=dict, blank=True, shape=dict)
    # How the orders were chosen, for the job page ("3 selected orders", a filter's query).
    selection = models.CharField(max_length=1000, blank=True)
    order_count = models.PositiveIntegerField()
    status = models.CharField(max_length=30, choices=BulkJobStatus.choices)
    created_by_user = user_column()
    created_by_key = key_column()
    created_by_label = models.CharField(max_length=200)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    started_at = fields.DateTimeField(null=True, blank=True)
    finished_at = fields.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=BulkAction.values), name="bulk_job_action_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=BulkJobStatus.values), name="bulk_job_status_known"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="bulk_job_org_created"),
            models.Index(fields=["status", "created_at"], name="bulk_job_status_created"),
        ]

    def __str__(self) -> str:
        orders = "order" if self.order_count == 1 else "orders"
        return f"{self.get_action_display()} on {self.order_count} {orders}"


class BulkJobItem(models.Model):
    """What a job did to one of its orders."""

    id = models.BigAutoField(primary_key=True)
    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The order's place in the job: the job acts on its orders in this order.
    position = models.PositiveIntegerField()
    outcome = models.CharField(
        max_length=20, choices=ItemOutcome.choices, default=ItemOutcome.PENDING
    )
    # Why it was refused, the error it failed with, or what was done ("2 tasks retried").
    reason = models.TextField(blank=True)
    # The tasks the action set going, as [task id, attempt] pairs, until they finish.
    tasks = fields.JSONField(default=list, blank=True, shape=list)
    # The flow run a "start a flow" action started.
    run_id = models.UUIDField(null=True, blank=True)
    acted_at = fields.DateTimeField(null=True, blank=True)
    finished_at = fields.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "order"], name="bulk_item_order_once_per_job"),
            models.UniqueConstraint(
                fields=["job", "position"], name="bulk_item_position_unique_in_job"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=ItemOutcome.values), name="bulk_item_outcome_known"
            ),
        ]
        indexes = [
            models.Index(fields=["job", "outcome", "position"], name="bulk_item_job_outcome"),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: order {self.order_id}"
