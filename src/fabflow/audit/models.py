"""One row per change an operator or a secret key made: the organization's audit trail."""

from django.db import models
from django.utils import timezone

from fabflow import fields
from fabflow.ids import uuid7
from fabflow.limits import MAX_AUDIT_LABEL_LENGTH


class ActorKind(models.TextChoices):
    USER = "user", "User"  # a person signed in to the UI
    KEY = "key", "Secret key"  # a webshop or script calling the API
    SYSTEM = "system", "Fabflow"  # Fabflow itself, on an operator's behalf (a command)


class Action(models.TextChoices):
    """What was done. The value names the object's kind first, so the list sorts by kind."""

    ORDER_CREATED = "order.created", "Order created"
    ORDER_CHANGED = "order.changed", "Order changed"  # its tags, deadline or data
    FLOW_STARTED = "order.flow_started", "Flow started on order"
    FILE_UPLOADED = "order.file_uploaded", "File uploaded"
    FILES_EXPORTED = "order.files_exported", "Files exported"
    TASK_CONFIRMED = "task.confirmed", "Task confirmed"
    TASK_REJECTED = "task.rejected", "Task rejected"
    TASK_RETRIED = "task.retried", "Task retried"
    TASK_SKIPPED = "task.skipped", "Task skipped"
    FLOW_CREATED = "flow.created", "Flow created"
    FLOW_VERSION_SAVED = "flow.version_saved", "Flow version saved"
    FLOW_ACTIVATED = "flow.activated", "Flow version activated"
    USER_ADDED = "user.added", "User added"
    USER_CHANGED = "user.changed", "User changed"
    USER_DEACTIVATED = "user.deactivated", "User deactivated"
    PASSWORD_SET = "user.password_set", "Password set"
    KEY_ADDED = "key.added", "Secret key added"
    KEY_REVOKED = "key.revoked", "Secret key revoked"
    SPACE_ADDED = "space.added", "Product space added"
    SPACE_CHANGED = "space.changed", "Product space changed"
    SIGNING_SECRET_ROTATED = "space.signing_secret_rotated", "Signing secret rotated"
    EXPORT_TARGET_SAVED = "export_target.saved", "Export target saved"
    EXPORT_TARGET_DELETED = "export_target.deleted", "Export target deleted"
    SUBSCRIPTION_CREATED = "subscription.created", "Webhook subscribed"
    SUBSCRIPTION_CHANGED = "subscription.changed", "Webhook subscription changed"
    SUBSCRIPTION_DELETED = "subscription.deleted", "Webhook subscription deleted"
    SUBSCRIPTION_SECRET_ROTATED = "subscription.secret_rotated", "Webhook secret rotated"
    DELIVERY_RESENT = "subscription.delivery_resent", "Webhook delivery resent"
    ORGANIZATION_CHANGED = "organization.changed", "Organization settings changed"
    BULK_JOB_STARTED = "bulk_job.started", "Bulk action started"
    BULK_JOB_CANCELLED = "bulk_job.cancelled", "Bulk action cancelled"
    VIEW_SAVED = "saved_view.saved", "Table view saved"
    VIEW_CHANGED = "saved_view.changed", "Table view changed"
    VIEW_DELETED = "saved_view.deleted", "Table view deleted"


class AuditRecord(models.Model):
    """A change made by a person or a key, written in the transaction that made it.

    `object_kind`, `object_id` and `object_label` name what changed as it was then (the object
    may since have been renamed or deleted); `changes` holds only the fields that changed, as
    `{field: {"before": value, "after": value}}`, with a secret's values left out
    (`{"changed": true}`). `space` is the product space of the object, when it has one.
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    space = models.ForeignKey(
        "accounts.ProductSpace",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    at = fields.DateTimeField(default=timezone.now, editable=False)
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # The user's or the key's id (no foreign key: the record outlives what it names).
    actor_id = models.UUIDField(null=True, blank=True)
    actor_label = models.CharField(max_length=MAX_AUDIT_LABEL_LENGTH)
    action = models.CharField(max_length=50, choices=Action.choices)
    object_kind = models.CharField(max_length=50)
    object_id = models.CharField(max_length=100)
    object_label = models.CharField(max_length=MAX_AUDIT_LABEL_LENGTH)
    changes = fields.JSONField(default=dict, shape=dict)

    class Meta:
        ordering = ["-at", "-id"]
        # The Activity page lists an organization's records newest first, narrowed by actor or
        # by object; its other filters (action, kind, label, time) read within these.
        indexes = [
            models.Index(fields=["organization", "-at"], name="audit_org_at"),
            models.Index(fields=["organization", "actor_id", "-at"], name="audit_org_actor_at"),
            models.Index(
                fields=["organization", "object_kind", "object_id", "-at"],
                name="audit_org_object_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} by {self.actor_label}"
