"""Order flows, their immutable versions, and the runs and task runs that track their progress."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.utils import timezone

from fabflow import fields, records
from fabflow.accounts.models import User
from fabflow.accounts.tenancy import TenantModel, organization_column, space_column
from fabflow.ids import uuid7
from fabflow.orders.models import Order

models.CharField.register_lookup(Length)

FLOW_NAME_MIN_LENGTH = 5


class ImmutableFieldError(ValueError):
    """Raised when code tries to change a field that never changes once saved."""


class OrderFlow(TenantModel):
    """A named way of handling orders in one product space; its definition lives in versions.

    The name and the space are fixed at creation (the key derives from the name), and a flow
    is never deleted, so every order can always show the flow it ran.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Also indexed on their own, as when the table was created.
    organization = organization_column(indexed=True)
    space = space_column(indexed=True, related_name="flows")
    key = models.SlugField(max_length=100)
    name = models.CharField(max_length=200)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    updated_at = fields.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["space", "name"]
        constraints = [
            models.UniqueConstraint(fields=["space", "key"], name="flow_key_unique_in_space"),
            models.CheckConstraint(
                condition=Q(name__length__gte=FLOW_NAME_MIN_LENGTH), name="flow_name_min_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            stored = OrderFlow.objects.filter(pk=self.pk).values("name", "space_id", "key").first()
            if stored and (stored["name"], stored["space_id"], stored["key"]) != (
                self.name,
                self.space_id,
                self.key,
            ):
                raise ImmutableFieldError("A flow's name, key and space never change")
        super().save(*args, **kwargs)

    def latest_version(self) -> "FlowVersion | None":
        """The version new runs start with (a prepared read: every create with a flow asks)."""
        found = records.fetch(FlowVersion, flow_id=self.pk, order_by=("-number",), limit=1)
        if not found:
            return None
        found[0].flow = self
        return found[0]


class FlowVersion(models.Model):
    """One saved definition of a flow. Never changed: an order pins the version it started with."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    flow = models.ForeignKey(OrderFlow, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    definition = fields.JSONField(shape=list)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = fields.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "number"], name="flow_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.flow} v{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableFieldError("A flow version never changes; save a new version instead")
        super().save(*args, **kwargs)


class FlowRunStatus(models.TextChoices):
    RUNNING = "running", "Running"  # some stage is not done yet
    SUCCEEDED = "succeeded", "Succeeded"  # every stage is done
    FAILED = "failed", "Failed"  # a task failed and nobody retried or skipped it yet
    CANCELLED = "cancelled", "Cancelled"  # replaced by a new run of the order


class FlowRun(TenantModel):
    """One run of a pinned flow version over one order."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Also indexed on their own, as when the table was created.
    organization = organization_column(indexed=True)
    space = space_column(indexed=True)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="flow_runs")
    flow_version = models.ForeignKey(FlowVersion, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(
        max_length=20, choices=FlowRunStatus.choices, default=FlowRunStatus.RUNNING
    )
    stage_index = models.PositiveIntegerField(default=0)
    # The tags the current stage added to the order, taken off again when the stage ends.
    added_tags = fields.JSONField(default=list, blank=True, shape=list)
    started_at = fields.DateTimeField(default=timezone.now)
    finished_at = fields.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["order", "-started_at"], name="flowrun_order_started")]

    def __str__(self) -> str:
        return f"{self.flow_version} on {self.order}"


class TaskStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # created, not picked up by a worker yet
    RUNNING = "running", "Running"  # a worker is executing its handler
    WAITING = "waiting", "Waiting"  # waiting for a person or a connector's feedback
    SUCCEEDED = "succeeded", "Succeeded"  # done; its `next` tasks have started
    FAILED = "failed", "Failed"  # failed after its retries, or rejected
    SKIPPED = "skipped", "Skipped"  # an operator let the flow move on without it


class TaskRun(TenantModel):
    """One execution of one task of a flow run; a retry is a new attempt of the same row."""

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # Also indexed on their own, as when the table was created.
    organization = organization_column(indexed=True)
    space = space_column(indexed=True)
    run = models.ForeignKey(FlowRun, on_delete=models.CASCADE, related_name="tasks")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="tasks")
    stage_key = models.CharField(max_length=100)
    stage_index = models.PositiveIntegerField()
    task_key = models.CharField(max_length=100)
    parent_task_key = models.CharField(max_length=100, blank=True)
    handler_key = models.CharField(max_length=100)
    title = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    tags = fields.JSONField(default=list, blank=True, shape=list)
    status = models.CharField(max_length=20, choices=TaskStatus.choices, default=TaskStatus.PENDING)
    attempt = models.PositiveIntegerField(default=1)
    created_at = fields.DateTimeField(default=timezone.now, editable=False)
    started_at = fields.DateTimeField(null=True, blank=True)
    deadline_at = fields.DateTimeField(null=True, blank=True)
    finished_at = fields.DateTimeField(null=True, blank=True)
    is_overdue = models.BooleanField(default=False)
    result = fields.JSONField(default=dict, blank=True, shape=dict)
    error = models.TextField(blank=True)
    # The credential in a connector's updateUrl; unique so a feedback call finds its task.
    feedback_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # The task whose worker went straight on to this one, in the same durable workflow (see
    # fabflow.flows.worker); a replay of that workflow finds its way on through it.
    continues_from = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["stage_index", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["run", "task_key"], name="taskrun_key_unique_in_run"),
        ]
        indexes = [
            models.Index(fields=["order", "stage_index"], name="taskrun_order_stage"),
            models.Index(fields=["status", "deadline_at"], name="taskrun_status_deadline"),
            # The /metrics scrape counts tasks (their ids) by handler and status from this index
            # alone, never reading the table.
            models.Index(fields=["handler_key", "status", "id"], name="taskrun_handler_status"),
        ]

    def __str__(self) -> str:
        return f"{self.task_key} ({self.status})"


class WorkerHeartbeat(models.Model):
    """A worker process that runs flows, and when it last said it was alive.

    Live workers take over the unfinished work of a worker that stopped heart-beating.
    """

    executor_id = models.CharField(max_length=100, primary_key=True)
    hostname = models.CharField(max_length=200, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = fields.DateTimeField(default=timezone.now)
    seen_at = fields.DateTimeField(default=timezone.now)
    # Set once another worker has taken this one's work over.
    taken_over_at = fields.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["executor_id"]

    def __str__(self) -> str:
        return self.executor_id
