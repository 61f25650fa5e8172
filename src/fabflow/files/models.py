"""Where production files are exported to, and the state of each asset's preview rendering."""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from fabflow.accounts.tenancy import TenantModel, organization_column, space_column
from fabflow.ids import uuid7
from fabflow.orders.models import Asset


class ExportTargetKind(models.TextChoices):
    FOLDER = "folder", "Local folder"  # a folder on the workers' file system (a share, a NAS)
    S3 = "s3", "S3 bucket"  # a bucket and prefix on AWS or any S3-compatible server


class ExportTarget(models.Model):
    """A named place an admin configured, where the `export-files` task copies production files.

    Credentials never live in the database: an S3 target names the environment variables that
    hold them through `credentials_env` (blank: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, else
    `<credentials_env>_ACCESS_KEY_ID` / `<credentials_env>_SECRET_ACCESS_KEY`).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # An organization's, not a space's: every space of it may export there.
    organization = organization_column(indexed=True, related_name="export_targets")
    name = models.SlugField(max_length=100, help_text="The name flows give as the target.")
    kind = models.CharField(max_length=10, choices=ExportTargetKind.choices)
    path = models.CharField(
        max_length=500, blank=True, help_text="Folder targets: an absolute folder on the workers."
    )
    bucket = models.CharField(max_length=63, blank=True)
    prefix = models.CharField(max_length=500, blank=True, help_text="S3: a key prefix, e.g. jobs/")
    endpoint_url = models.URLField(
        blank=True, help_text="S3: the server's address; blank for AWS or S3_ENDPOINT_URL."
    )
    region = models.CharField(max_length=50, blank=True)
    credentials_env = models.CharField(
        max_length=64,
        blank=True,
        help_text="S3: prefix of the environment variables holding the access key.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="export_target_name_unique"
            ),
            models.CheckConstraint(
                condition=(Q(kind="folder") & ~Q(path="")) | (Q(kind="s3") & ~Q(bucket="")),
                name="export_target_has_location",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def location(self) -> str:
        """Where the target writes, for people: a folder or s3://bucket/prefix."""
        if self.kind == ExportTargetKind.FOLDER:
            return self.path
        return f"s3://{self.bucket}/{self.prefix.strip('/')}".rstrip("/")


class ThumbnailStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for a worker
    DONE = "done", "Done"  # the preview was rendered and stored
    FAILED = "failed", "Failed"  # the file cannot be previewed; `error` says why
    SKIPPED = "skipped", "Skipped"  # nothing to do: the owner got a preview of its own meanwhile


class ThumbnailJob(TenantModel):
    """The preview rendering of one uploaded asset, run by a worker after the upload commits.

    A mesh gets a rendered PNG stored as a `preview` asset of the same owner (`preview`), which
    makes it the owner's thumbnail; an uploaded preview image gets a resized copy (`image_name`,
    a name in the file storage).
    """

    id = models.UUIDField(primary_key=True, default=uuid7, editable=False)
    # The space is also indexed on its own, as when the table was created.
    space = space_column(indexed=True)
    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="thumbnail_job")
    status = models.CharField(
        max_length=10, choices=ThumbnailStatus.choices, default=ThumbnailStatus.PENDING
    )
    error = models.TextField(blank=True)
    preview = models.ForeignKey(
        Asset, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    image_name = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["status", "created_at"], name="thumbnail_status_created")]

    def __str__(self) -> str:
        return f"Preview of {self.asset_id}: {self.status}"
