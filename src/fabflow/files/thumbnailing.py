"""Previews of uploaded files, rendered by the workers after the upload has committed.

An uploaded STL, 3MF or OBJ whose owner has no preview gets a shaded PNG render, stored as a
`preview` asset of the same owner (so it becomes the owner's thumbnail). An uploaded preview
image gets a copy resized to fit 512x512 (`ThumbnailJob.image_name`), which pages show instead
of a camera's 20-megapixel original.

Rendering never runs in a web request: the upload service calls `schedule_thumbnail` inside its
transaction, which records a pending `ThumbnailJob` and, once the transaction commits, enqueues
the DBOS workflow `fabflow.thumbnail` on the workers' queue. The workflow's one step renders
and stores the preview; a file that cannot be previewed marks its job failed with the reason and
touches nothing else. Workers register the workflow through `register_workflows()`.
"""

import functools
import logging
from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import close_old_connections, transaction
from django.utils import timezone

from fabflow import durable
from fabflow.accounts.actors import Actor
from fabflow.files import storage
from fabflow.files.models import ThumbnailJob, ThumbnailStatus
from fabflow.files.rendering import (
    DEFAULT_SIZE,
    MESH_FILE_TYPES,
    ThumbnailError,
    render_mesh_thumbnail,
    resize_image_thumbnail,
)
from fabflow.ids import uuid7
from fabflow.orders.models import Asset, AssetKind, OrderEventType
from fabflow.orders.services import record_event

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "fabflow.thumbnail"
# Larger files are not read into a worker's memory to preview them; their makers attach one.
MAX_PREVIEW_SOURCE_BYTES = 256 * 1024 * 1024
IMAGE_CONTENT_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})


def workflow_id(job_id) -> str:
    return f"thumbnail-{job_id}"


def mesh_file_type(asset: Asset) -> str | None:
    """ "stl", "3mf" or "obj" when the asset is a mesh file we can preview, else None."""
    extension = asset.filename.rpartition(".")[2].lower()
    return extension if extension in MESH_FILE_TYPES else None


def needs_thumbnail(asset: Asset) -> bool:
    """Whether a preview should be made for this asset when it is uploaded."""
    if asset.kind == AssetKind.PREVIEW:
        return asset.content_type in IMAGE_CONTENT_TYPES or mesh_file_type(asset) is not None
    return mesh_file_type(asset) is not None


def schedule_thumbnail(*, asset: Asset) -> ThumbnailJob | None:
    """Record a pending preview job for a new asset; a worker renders it after the commit.

    Call it inside the transaction that creates the asset. Returns None when the asset needs no
    preview.
    """
    if not needs_thumbnail(asset):
        return None
    job = ThumbnailJob.objects.create(
        organization_id=asset.organization_id, space_id=asset.space_id, asset=asset
    )
    transaction.on_commit(functools.partial(enqueue, [job.pk]), robust=True)
    return job


def render_thumbnail(*, job_id) -> ThumbnailJob:
    """Render one pending job's preview and record the outcome; a finished job is left alone."""
    job = ThumbnailJob.objects.select_related("asset").filter(pk=job_id).first()
    if job is None or job.status != ThumbnailStatus.PENDING:
        return job
    asset = job.asset
    if asset.kind != AssetKind.PREVIEW and _owner_has_preview(asset):
        return _finish(job, status=ThumbnailStatus.SKIPPED)
    if asset.size > MAX_PREVIEW_SOURCE_BYTES:
        return _finish(
            job,
            status=ThumbnailStatus.FAILED,
            error=f"the file is larger than {MAX_PREVIEW_SOURCE_BYTES // (1024 * 1024)} MB",
        )
    with storage.open_file(asset.storage_name) as handle:
        data = handle.read()
    file_type = mesh_file_type(asset)
    try:
        if file_type is not None:
            png = render_mesh_thumbnail(data, file_type=file_type, size=DEFAULT_SIZE)
        else:
            png = resize_image_thumbnail(data, size=DEFAULT_SIZE)
    except ThumbnailError as error:
        return _finish(job, status=ThumbnailStatus.FAILED, error=error.message)
    if file_type is not None:
        return _attach_preview(job, asset, png)
    name = f"thumbnails/{asset.space_id}/{asset.pk}/{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}.png"
    stored = storage.store(ContentFile(png), folder=name.rpartition("/")[0], filename="preview.png")
    return _finish(job, status=ThumbnailStatus.DONE, image_name=stored.name)


def pending_jobs(older_than_seconds: float, limit: int = 1000) -> list:
    """Ids of jobs still pending after a while: their enqueue may have been lost."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        ThumbnailJob.objects.filter(status=ThumbnailStatus.PENDING, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def _owner_has_preview(asset: Asset) -> bool:
    owner = {"order_id": asset.order_id, "product_id": asset.product_id, "part_id": asset.part_id}
    return Asset.objects.filter(kind=AssetKind.PREVIEW, **owner).exists()


def _attach_preview(job: ThumbnailJob, asset: Asset, png: bytes) -> ThumbnailJob:
    preview_id = uuid7()
    filename = storage.sanitize_filename(f"{asset.filename.rpartition('.')[0]} preview.png")
    stored = storage.store(
        ContentFile(png), folder=f"assets/{asset.space_id}/{preview_id}", filename=filename
    )
    try:
        with transaction.atomic():
            job = ThumbnailJob.objects.select_for_update().get(pk=job.pk)
            if job.status != ThumbnailStatus.PENDING:
                storage.delete(stored.name)
                return job
            owner_type = "order" if asset.order_id else ("product" if asset.product_id else "part")
            preview = Asset.objects.create(
                id=preview_id,
                organization_id=asset.organization_id,
                space_id=asset.space_id,
                order_id=asset.order_id,
                product_id=asset.product_id,
                part_id=asset.part_id,
                filename=filename,
                content_type="image/png",
                size=stored.size,
                sha256=stored.sha256,
                kind=AssetKind.PREVIEW,
                storage_name=stored.name,
                source=f"thumbnail:{asset.pk}",
            )
            owner = getattr(asset, owner_type)
            record_event(
                actor=Actor.system(organization_id=asset.organization_id),
                order=owner if owner_type == "order" else owner.order,
                type=OrderEventType.ASSET_ADDED,
                details={
                    "asset": str(preview.pk),
                    "filename": filename,
                    "kind": AssetKind.PREVIEW,
                    owner_type: str(owner.pk),
                    "renderedFrom": str(asset.pk),
                },
            )
            job.preview = preview
            return _finish(job, status=ThumbnailStatus.DONE)
    except BaseException:
        storage.delete(stored.name)
        raise


def _finish(job: ThumbnailJob, *, status: str, error: str = "", image_name: str = ""):
    job.status = status
    job.error = error
    job.image_name = image_name
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "image_name", "preview", "finished_at"])
    if status == ThumbnailStatus.FAILED:
        logger.info("no preview for asset %s: %s", job.asset_id, error)
    return job


# --- the worker side (DBOS) -----------------------------------------------------------------

_registered: dict = {}


def register_workflows() -> None:
    """Register the thumbnail workflow with DBOS; workers call this before DBOS launches."""
    if _registered:
        return

    @durable.step(name="fabflow.thumbnail.render", retries_allowed=True, max_attempts=3)
    def render_step(job_id: str) -> str:
        close_old_connections()
        try:
            job = render_thumbnail(job_id=job_id)
            return job.status if job is not None else "missing"
        finally:
            close_old_connections()

    @durable.workflow(name=WORKFLOW_NAME)
    def thumbnail_workflow(job_id: str) -> str:
        return render_step(job_id)

    _registered["workflow"] = thumbnail_workflow


def enqueue_lost_jobs(older_than_seconds: float) -> int:
    """Enqueue the jobs still pending a while after their upload (their enqueue was lost); a
    workflow id is the job's own, so enqueuing one that is already queued changes nothing."""
    job_ids = pending_jobs(older_than_seconds)
    if job_ids:
        enqueue(job_ids)
    return len(job_ids)


def enqueue(job_ids: list) -> None:
    """Enqueue the thumbnail workflows of `job_ids` on the workers' queue (each once)."""
    try:
        for job_id in job_ids:
            durable.enqueue_workflow(WORKFLOW_NAME, workflow_id(job_id), str(job_id))
    except Exception:
        # The job stays pending; `pending_jobs` lets a worker's sweep enqueue it again.
        logger.exception("cannot enqueue thumbnail jobs now")
