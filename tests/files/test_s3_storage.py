"""Uploads and downloads behave the same on local files and on a real S3 server."""

import hashlib
from decimal import Decimal

import httpx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fabflow import config
from fabflow.errors import NotFound
from fabflow.files import services
from fabflow.files.downloads import presigned_download_url
from fabflow.orders.models import Asset, OrderEvent
from fabflow.orders.services import ProductInput, create_order


@pytest.fixture
def order(key_actor, space):
    return create_order(
        actor=key_actor,
        space=space,
        name="Order 1",
        products=[ProductInput(name="Ring", units=1, unit_value=Decimal("10.00"))],
    ).order


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_an_upload_is_stored_and_reads_back_byte_for_byte(file_storage, key_actor, order):
    content = bytes(range(256)) * 40_000  # 10 MB: several chunks, a multipart upload on S3
    product = order.products.get()

    asset = services.add_asset(
        actor=key_actor,
        owner_type="product",
        owner_id=product.pk,
        upload=upload("../../etc/ring model.stl", content),
        kind="production",
    )

    assert (asset.filename, asset.size, asset.sha256, asset.content_type) == (
        "ring model.stl",
        len(content),
        hashlib.sha256(content).hexdigest(),
        "model/stl",
    )
    assert asset.storage_name == f"assets/{order.space_id}/{asset.pk}/ring model.stl"
    opened_asset, handle = services.open_asset(actor=key_actor, asset_id=asset.pk)
    with handle:
        assert handle.read() == content
    assert opened_asset.pk == asset.pk


def test_the_file_lands_where_the_storage_says(file_storage, key_actor, order):
    asset = services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=upload("notes.txt", b"handle with care"),
        kind="other",
    )

    if file_storage["kind"] == "local":
        assert (file_storage["root"] / asset.storage_name).read_bytes() == b"handle with care"
    else:
        server = file_storage["server"]
        stored = server.client().get_object(
            Bucket=server.bucket, Key=f"{file_storage['prefix']}/{asset.storage_name}"
        )
        assert stored["Body"].read() == b"handle with care"


def test_another_tenant_cannot_download(file_storage, key_actor, order, stranger):
    from fabflow.accounts.actors import Actor

    asset = services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=upload("secret.txt", b"ours"),
        kind="other",
    )

    with pytest.raises(NotFound):
        services.open_asset(actor=Actor.for_user(stranger), asset_id=asset.pk)


def test_a_refused_upload_stores_nothing(file_storage, key_actor, order, settings):
    settings.FABFLOW_MAX_UPLOAD_BYTES = 10
    events = OrderEvent.objects.count()

    with pytest.raises(services.TooLarge):
        services.add_asset(
            actor=key_actor,
            owner_type="order",
            owner_id=order.pk,
            upload=upload("big.bin", b"x" * 11),
            kind="other",
        )

    assert Asset.objects.count() == 0
    assert OrderEvent.objects.count() == events
    if file_storage["kind"] == "local":
        assert not file_storage["root"].exists() or not any(file_storage["root"].rglob("*.bin"))
    else:
        server = file_storage["server"]
        listed = server.client().list_objects_v2(
            Bucket=server.bucket, Prefix=file_storage["prefix"]
        )
        assert listed["KeyCount"] == 0


def test_a_presigned_url_downloads_the_file_with_its_name(s3_storage, key_actor, order):
    asset = services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=upload("Ring ø 52.stl", b"solid ring\nendsolid ring\n"),
        kind="production",
    )

    url = presigned_download_url(asset=asset, always=True)

    response = httpx.get(url)
    assert response.status_code == 200
    assert response.content == b"solid ring\nendsolid ring\n"
    assert response.headers["content-type"] == "model/stl"
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''Ring%20%C3%B8%2052.stl"
    )


def test_presigned_downloads_are_off_unless_asked_for(file_storage, key_actor, order):
    asset = services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=upload("a.txt", b"a"),
        kind="other",
    )

    assert presigned_download_url(asset=asset) is None
    if file_storage["kind"] == "local":
        assert presigned_download_url(asset=asset, always=True) is None


def test_storage_url_reads_bucket_prefix_and_endpoint(monkeypatch):
    monkeypatch.setenv("S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setenv("S3_REGION", "eu-west-1")

    storage = config.default_storage("s3://fabflow-files/prod/assets/", media_root="/unused")

    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["location"], options["endpoint_url"]) == (
        "fabflow-files",
        "prod/assets",
        "http://127.0.0.1:9000",
    )
    assert (options["access_key"], options["secret_key"], options["region_name"]) == (
        "id",
        "secret",
        "eu-west-1",
    )
    assert options["addressing_style"] == "path"


def test_a_storage_url_of_another_scheme_is_refused():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="STORAGE_URL must be s3://bucket/prefix"):
        config.default_storage("ftp://files.example.com/x", media_root="/unused")
