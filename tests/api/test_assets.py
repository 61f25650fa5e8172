"""REST API v1: uploading files to orders, products and parts, and downloading them."""

import hashlib
import io
import json
from datetime import timedelta

import pytest
from django.test.client import MULTIPART_CONTENT
from PIL import Image

from fabflow.orders.models import Asset, OrderEvent
from tests.api.conftest import order_body

STL = b"solid ring\nendsolid ring\n" * 100


@pytest.fixture
def order(key_client):
    response = key_client.post("/orders", order_body())
    assert response.status_code == 201
    return response.json()


def upload(client, path, content: bytes, filename: str, kind: str = "production", **extra):
    file = io.BytesIO(content)
    file.name = filename
    return client.post(
        path,
        {"file": file, "kind": kind},
        content_type=MULTIPART_CONTENT,
        **extra,
    )


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def stored_files(root) -> list[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


@pytest.mark.parametrize("owner", ["order", "product", "part"])
def test_upload_and_download(key_client, order, owner, media_root):
    owner_id = {
        "order": order["id"],
        "product": order["products"][0]["id"],
        "part": order["products"][0]["parts"][1]["id"],
    }[owner]

    response = upload(key_client, f"/{owner}s/{owner_id}/assets", STL, "ring.stl")

    assert response.status_code == 201
    body = response.json()
    asset = Asset.objects.get()
    assert body == {
        "id": str(asset.pk),
        "filename": "ring.stl",
        "contentType": "model/stl",
        "size": len(STL),
        "sha256": hashlib.sha256(STL).hexdigest(),
        "kind": "production",
        "createdAt": body["createdAt"],
        "downloadUrl": f"/api/v1/assets/{asset.pk}/content",
    }
    assert str(getattr(asset, f"{owner}_id")) == owner_id
    assert stored_files(media_root) == [f"assets/{asset.space_id}/{asset.pk}/ring.stl"]
    event = OrderEvent.objects.get(type="asset_added")
    assert str(event.order_id) == order["id"]
    assert event.details["filename"] == "ring.stl"

    download = key_client.get(f"/assets/{asset.pk}/content")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == STL
    assert download["Content-Type"] == "model/stl"
    assert download["Content-Length"] == str(len(STL))
    assert download["Content-Disposition"] == 'attachment; filename="ring.stl"'

    listed = key_client.get(f"/{owner}s/{owner_id}").json()
    assert [item["id"] for item in listed["assets"]] == [str(asset.pk)]


def test_a_preview_image_becomes_the_thumbnail(key_client, order):
    product_id = order["products"][0]["id"]
    upload(key_client, f"/products/{product_id}/assets", STL, "ring.stl", kind="preview")
    assert key_client.get(f"/products/{product_id}").json()["thumbnailUrl"] is None

    response = upload(
        key_client, f"/products/{product_id}/assets", png(), "front.png", kind="preview"
    )

    assert response.status_code == 201
    product = key_client.get(f"/products/{product_id}").json()
    assert product["thumbnailUrl"] == response.json()["downloadUrl"]
    assert (
        key_client.get(f"/orders/{order['id']}").json()["products"][0]["thumbnailUrl"]
        == (response.json()["downloadUrl"])
    )


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\ring v2.stl", "ring v2.stl"),
        ("<script>x</script>.stl", "script_.stl"),
        ("...", "file"),
        ("ring\x07.stl", "ring.stl"),
    ],
)
def test_filenames_are_sanitised(key_client, order, media_root, sent, kept):
    response = upload(key_client, f"/orders/{order['id']}/assets", b"data", sent, kind="other")

    assert response.status_code == 201
    assert response.json()["filename"] == kept
    asset = Asset.objects.get()
    assert stored_files(media_root) == [f"assets/{asset.space_id}/{asset.pk}/{kept}"]


def test_a_file_over_the_limit_is_a_413_and_nothing_is_kept(
    key_client, order, settings, media_root
):
    settings.FABFLOW_MAX_UPLOAD_BYTES = 1000

    response = upload(key_client, f"/orders/{order['id']}/assets", b"x" * 100_000, "big.stl")

    assert response.status_code == 413
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"kind": "production"}, ["body", "file"]),
        ({"kind": "poster", "file": ("a.stl", b"x")}, ["body", "kind"]),
        ({"file": ("a.stl", b"x")}, ["body", "kind"]),
    ],
)
def test_upload_refusals_keep_nothing(key_client, order, media_root, fields, loc):
    data = {}
    for name, value in fields.items():
        if isinstance(value, tuple):
            file = io.BytesIO(value[1])
            file.name = value[0]
            value = file
        data[name] = value

    response = key_client.post(
        f"/orders/{order['id']}/assets", data, content_type=MULTIPART_CONTENT
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == loc
    assert Asset.objects.count() == 0
    assert stored_files(media_root) == []


def test_files_of_other_tenants_are_not_found(
    key_client, order, other_space_client, stranger_client, stranger_user_client, media_root
):
    uploaded = upload(key_client, f"/orders/{order['id']}/assets", STL, "ring.stl").json()

    for client in (other_space_client, stranger_client, stranger_user_client):
        assert client.get(f"/assets/{uploaded['id']}/content").status_code == 404
    for client in (other_space_client, stranger_client):
        response = upload(client, f"/orders/{order['id']}/assets", b"evil", "evil.stl")
        assert response.status_code == 404
        response = upload(
            client, f"/parts/{order['products'][0]['parts'][0]['id']}/assets", b"e", "e"
        )
        assert response.status_code == 404
    assert Asset.objects.count() == 1
    assert len(stored_files(media_root)) == 1


def test_documents_the_database_writes_are_what_the_schemas_would_write(
    key_client, order, media_root
):
    """Orders, products and parts are written as JSON by the database, without validating
    them again: each must come out of a validation through its response schema unchanged,
    files, thumbnails, tasks and unicode included."""
    from fabflow.api.schemas import render
    from fabflow.orders.documents import order_documents, part_documents, product_documents
    from fabflow.orders.models import Order, Part, Product
    from fabflow.orders.schemas import OrderOut, PartOut, ProductOut

    product_id = order["products"][0]["id"]
    part_id = order["products"][0]["parts"][1]["id"]
    for path in (f"/orders/{order['id']}", f"/products/{product_id}", f"/parts/{part_id}"):
        assert upload(key_client, f"{path}/assets", png(), "view.png", "preview").status_code == 201
    key_client.patch(f"/orders/{order['id']}", {"data": {"note": "é ✓", "n": 1.5}, "tags": ["x"]})

    cases = [
        (OrderOut, order_documents(list(Order.objects.values_list("pk", flat=True)))),
        (ProductOut, product_documents(list(Product.objects.values_list("pk", flat=True)))),
        (PartOut, part_documents(list(Part.objects.values_list("pk", flat=True)))),
    ]
    for schema, documents in cases:
        assert documents
        for document in documents:
            parsed = json.loads(document)
            assert json.loads(render(schema, parsed).content) == parsed
    written = json.loads(cases[0][1][0])
    assert written["data"] == {"note": "é ✓", "n": 1.5}
    assert written["thumbnailUrl"] == written["assets"][0]["downloadUrl"]


def test_the_thumbnail_is_the_newest_preview_image_in_the_api_and_the_pages(
    key_client, order, media_root
):
    from fabflow.orders.api import thumbnail_url

    path = f"/orders/{order['id']}"
    assert key_client.get(path).json()["thumbnailUrl"] is None
    first = upload(key_client, f"{path}/assets", png(), "a.png", "preview").json()
    second = upload(key_client, f"{path}/assets", png(), "b.png", "preview").json()
    upload(key_client, f"{path}/assets", STL, "mesh.stl", "preview")  # a preview, no image
    upload(key_client, f"{path}/assets", png(), "c.png", "production")  # an image, no preview
    # The first preview made the newest (as a file stored again would be).
    Asset.objects.filter(pk=first["id"]).update(
        created_at=Asset.objects.get(pk=second["id"]).created_at + timedelta(seconds=1)
    )

    listed = key_client.get("/orders").json()["items"][0]
    expected = f"/api/v1/assets/{first['id']}/content"
    assert listed["thumbnailUrl"] == key_client.get(path).json()["thumbnailUrl"] == expected
    assert thumbnail_url(list(Asset.objects.filter(order_id=order["id"]))) == expected
    assert [asset["filename"] for asset in listed["assets"]] == [
        "b.png",
        "mesh.stl",
        "c.png",
        "a.png",
    ]


def test_the_page_statement_writes_the_documents_of_a_list(key_client, order, media_root):
    """bench/api.py's floor writes a page by one statement: the same documents as the API."""
    from django.db import connection

    from bench.page_statement import page_statement

    assert upload(key_client, f"/orders/{order['id']}/assets", png(), "v.png", "preview")
    key_client.post("/orders", order_body(name="Order 1002"))
    with connection.cursor() as cursor:
        page = "SELECT * FROM orders_order WHERE status = %s ORDER BY created_at DESC"
        cursor.execute(page_statement(page), ["created"])
        (written,) = cursor.fetchone()
    written = json.loads(written) if isinstance(written, str) else written

    listed = key_client.get("/orders").json()["items"]
    assert [item["name"] for item in listed] == ["Order 1002", "Order 1001"]
    assert sorted(written, key=lambda item: item["name"], reverse=True) == listed
