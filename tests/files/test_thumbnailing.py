"""Previews of uploaded meshes and images, rendered after the upload by the worker's job."""

import io
from decimal import Decimal

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fabflow.files import services as file_services
from fabflow.files import thumbnailing
from fabflow.files.models import ThumbnailJob, ThumbnailStatus
from fabflow.generators import generate_meshes, get_generator
from fabflow.generators.export import export_mesh
from fabflow.orders.models import Asset, AssetKind, OrderEvent, OrderEventType
from fabflow.orders.services import ProductInput, create_order


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")


@pytest.fixture
def product(key_actor, space):
    order = create_order(
        actor=key_actor,
        space=space,
        name="Order 1",
        products=[ProductInput(name="Ring", units=1, unit_value=Decimal("10"))],
    ).order
    return order.products.get()


def ring_stl() -> bytes:
    (ring,) = generate_meshes(get_generator("ring"), {"size": 18, "width": 6, "thickness": 2})
    return export_mesh(ring.mesh, "stl").content


def upload(actor, product, name, content, kind="production", content_type=None):
    """Upload a file as the API does; the upload schedules its own preview job."""
    asset = file_services.add_asset(
        actor=actor,
        owner_type="product",
        owner_id=product.pk,
        upload=SimpleUploadedFile(name, content, content_type=content_type or ""),
        kind=kind,
    )
    return asset, ThumbnailJob.objects.filter(asset=asset).first()


def png_of(name: str) -> Image.Image:
    with default_storage.open(name, "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_an_uploaded_mesh_gets_a_rendered_preview_after_the_commit(
    key_actor, product, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        asset, job = upload(key_actor, product, "band.stl", ring_stl())

    assert job.status == ThumbnailStatus.PENDING
    assert [callback.func for callback in callbacks] == [thumbnailing.enqueue]
    assert product.assets.filter(kind=AssetKind.PREVIEW).count() == 0

    job = thumbnailing.render_thumbnail(job_id=job.pk)

    assert (job.status, job.error) == (ThumbnailStatus.DONE, "")
    preview = product.assets.get(kind=AssetKind.PREVIEW)
    assert job.preview == preview
    assert (preview.filename, preview.content_type, preview.source) == (
        "band preview.png",
        "image/png",
        f"thumbnail:{asset.pk}",
    )
    image = png_of(preview.storage_name)
    assert (image.format, image.size) == ("PNG", (512, 512))
    pixels = np.asarray(image.convert("RGB")).astype(int)
    background = pixels[0, 0]
    is_object = np.abs(pixels - background).sum(axis=2) > 30
    # A ring seen from above at an angle: an object in the middle, with a hole through it.
    assert 0.1 < is_object.mean() < 0.9
    assert is_object[256].any() and is_object[:, 256].any()
    event = OrderEvent.objects.filter(order=product.order).latest("created_at")
    assert (event.type, event.details["renderedFrom"]) == (
        OrderEventType.ASSET_ADDED,
        str(asset.pk),
    )


def test_rendering_a_job_twice_makes_one_preview(key_actor, product):
    _, job = upload(key_actor, product, "band.stl", ring_stl())

    thumbnailing.render_thumbnail(job_id=job.pk)
    thumbnailing.render_thumbnail(job_id=job.pk)

    assert product.assets.filter(kind=AssetKind.PREVIEW).count() == 1


def test_a_malformed_mesh_fails_its_job_with_the_reason_and_nothing_else(key_actor, product):
    truncated = ring_stl()[:5000]
    asset, job = upload(key_actor, product, "broken.stl", truncated)
    events = OrderEvent.objects.count()

    job = thumbnailing.render_thumbnail(job_id=job.pk)

    assert job.status == ThumbnailStatus.FAILED
    assert job.error.startswith("the stl file is truncated: it declares ")
    assert list(Asset.objects.values_list("pk", flat=True)) == [asset.pk]
    assert OrderEvent.objects.count() == events


def test_a_mesh_whose_owner_has_a_preview_is_left_alone(key_actor, product):
    upload(key_actor, product, "photo.png", _png(800, 600), kind="preview")
    _, job = upload(key_actor, product, "band.stl", ring_stl())

    job = thumbnailing.render_thumbnail(job_id=job.pk)

    assert job.status == ThumbnailStatus.SKIPPED
    assert product.assets.filter(kind=AssetKind.PREVIEW).count() == 1


def test_an_uploaded_preview_image_gets_a_resized_copy(key_actor, product):
    _, job = upload(key_actor, product, "photo.png", _png(2000, 1000), kind="preview")

    job = thumbnailing.render_thumbnail(job_id=job.pk)

    assert job.status == ThumbnailStatus.DONE
    assert png_of(job.image_name).size == (512, 256)


def test_a_broken_image_fails_its_job(key_actor, product):
    _, job = upload(key_actor, product, "photo.png", b"\x89PNG\r\n\x1a\n broken", kind="preview")

    job = thumbnailing.render_thumbnail(job_id=job.pk)

    assert job.status == ThumbnailStatus.FAILED
    assert job.error.startswith("the image cannot be read")


def test_files_without_a_preview_to_make_get_no_job(key_actor, product):
    _, job = upload(key_actor, product, "notes.pdf", b"%PDF-1.4", kind="other")

    assert job is None
    assert ThumbnailJob.objects.count() == 0


def test_pending_jobs_lists_jobs_waiting_too_long(key_actor, product):
    _, job = upload(key_actor, product, "band.stl", ring_stl())

    assert thumbnailing.pending_jobs(older_than_seconds=3600) == []
    assert thumbnailing.pending_jobs(older_than_seconds=-1) == [job.pk]


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()
