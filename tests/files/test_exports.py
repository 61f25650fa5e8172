"""Export targets and export-files: production files and a manifest copied to a folder or S3."""

import hashlib
import json
import socket
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fabflow.accounts import services as account_services
from fabflow.accounts.actors import Actor
from fabflow.errors import Conflict, Forbidden, InvalidInput, NotFound
from fabflow.files import export_targets
from fabflow.files import services as file_services
from fabflow.files.generation import generate_production_files
from fabflow.files.models import ExportTarget
from fabflow.flows.handlers import export_files as handler
from fabflow.flows.registry import HandlerFailure
from fabflow.orders.models import Asset
from fabflow.orders.services import PartInput, ProductInput, create_order

RING = {"size": 18, "width": 4, "thickness": 1.6}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")


@pytest.fixture
def private_addresses_allowed(organization):
    """The test S3 server listens on 127.0.0.1, which targets may name only when allowed."""
    organization.allow_private_addresses = True
    organization.save(update_fields=["allow_private_addresses"])
    return organization


@pytest.fixture
def system(organization):
    return Actor.system(organization_id=organization.pk)


@pytest.fixture
def order(key_actor, space, system):
    space.generator = "ring"
    space.save()
    order = create_order(
        actor=key_actor,
        space=space,
        name="Order/../42",
        products=[
            ProductInput(name="Ring", units=2, unit_value=Decimal("9"), configuration=RING),
            ProductInput(
                name="ring",
                units=1,
                unit_value=Decimal("9"),
                configuration={**RING, "size": 20},
                parts=[PartInput(name="Engraving")],
            ),
        ],
    ).order
    generate_production_files(actor=system, order_id=order.pk, file_format="stl", source="task:f")
    part = order.parts.get()
    file_services.add_asset(
        actor=key_actor,
        owner_type="part",
        owner_id=part.pk,
        upload=SimpleUploadedFile("engraving.svg", b"<svg/>"),
        kind="production",
    )
    file_services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=SimpleUploadedFile("photo.jpg", b"not exported"),
        kind="other",
    )
    return order


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


EXPECTED_PATHS = ["Ring/Ring.stl", "ring (2)/ring.stl", "ring (2)/Engraving/engraving.svg"]


def expected_files(order) -> dict:
    """path in the export -> the asset exported there."""
    first, second = order.products.order_by("position")
    return {
        "Ring/Ring.stl": first.assets.get(kind="production"),
        "ring (2)/ring.stl": second.assets.get(kind="production"),
        "ring (2)/Engraving/engraving.svg": order.parts.get().assets.get(),
    }


def folder_target(admin_actor, export_root, name="workshop"):
    return export_targets.create_export_target(
        actor=admin_actor, name=name, kind="folder", path=str(export_root / "jobs")
    )


def test_a_folder_export_holds_the_files_and_a_manifest(admin_actor, system, order, export_root):
    folder_target(admin_actor, export_root)

    result = export_targets.export_order_files(
        actor=system, order_id=order.pk, target_name="workshop"
    )

    exported = export_root / "jobs" / "Order_.._42"
    assert result.location == str(exported)
    assert result.written == [*EXPECTED_PATHS, "manifest.json"]
    assert (result.unchanged, result.removed) == ([], [])
    files = sorted(
        str(path.relative_to(exported)) for path in exported.rglob("*") if path.is_file()
    )
    assert files == sorted([*EXPECTED_PATHS, "manifest.json"])
    for path, asset in expected_files(order).items():
        assert sha256((exported / path).read_bytes()) == asset.sha256
    manifest = json.loads((exported / "manifest.json").read_text())
    first, second = order.products.order_by("position")
    assert manifest["order"] == {"id": str(order.pk), "name": "Order/../42", "space": "rings"}
    assert manifest["files"] == []
    assert [
        (product["id"], product["name"], product["units"], product["configuration"])
        for product in manifest["products"]
    ] == [
        (str(first.pk), "Ring", 2, RING),
        (str(second.pk), "ring", 1, {**RING, "size": 20}),
    ]
    listed = {
        entry["path"]: (entry["sha256"], entry["size"], entry["assetId"])
        for entry in export_targets._manifest_files(manifest)
    }
    assert listed == {
        path: (asset.sha256, asset.size, str(asset.pk))
        for path, asset in expected_files(order).items()
    }


def test_exporting_again_changes_nothing(admin_actor, system, order, export_root):
    folder_target(admin_actor, export_root)
    export_targets.export_order_files(actor=system, order_id=order.pk, target_name="workshop")
    exported = export_root / "jobs" / "Order_.._42"
    before = {path: path.stat().st_mtime_ns for path in exported.rglob("*")}

    result = export_targets.export_order_files(
        actor=system, order_id=order.pk, target_name="workshop"
    )

    assert result.written == []
    assert result.unchanged == [*EXPECTED_PATHS, "manifest.json"]
    assert {path: path.stat().st_mtime_ns for path in exported.rglob("*")} == before


def test_a_changed_order_rewrites_only_what_changed(
    admin_actor, key_actor, system, order, export_root
):
    folder_target(admin_actor, export_root)
    export_targets.export_order_files(actor=system, order_id=order.pk, target_name="workshop")
    Asset.objects.filter(filename="engraving.svg").delete()
    added = file_services.add_asset(
        actor=key_actor,
        owner_type="order",
        owner_id=order.pk,
        upload=SimpleUploadedFile("packing list.pdf", b"%PDF-1.4 list"),
        kind="production",
    )

    result = export_targets.export_order_files(
        actor=system, order_id=order.pk, target_name="workshop"
    )

    exported = export_root / "jobs" / "Order_.._42"
    assert result.written == ["packing list.pdf", "manifest.json"]
    assert result.removed == ["ring (2)/Engraving/engraving.svg"]
    assert not (exported / "ring (2)" / "Engraving" / "engraving.svg").exists()
    assert sha256((exported / "packing list.pdf").read_bytes()) == added.sha256
    manifest = json.loads((exported / "manifest.json").read_text())
    assert [entry["path"] for entry in manifest["files"]] == ["packing list.pdf"]


def test_no_temporary_file_is_left_behind(admin_actor, system, order, export_root):
    folder_target(admin_actor, export_root)

    export_targets.export_order_files(actor=system, order_id=order.pk, target_name="workshop")

    assert not [path for path in export_root.rglob("*") if path.name.startswith(".")]


def test_a_folder_holding_another_orders_export_is_not_overwritten(
    admin_actor, system, order, export_root, organization, key_actor
):
    folder_target(admin_actor, export_root)
    export_targets.export_order_files(actor=system, order_id=order.pk, target_name="workshop")
    manifest = (export_root / "jobs" / "Order_.._42" / "manifest.json").read_bytes()
    lamps = account_services.create_space(organization=organization, name="Lamps", key="lamps")
    twin = create_order(
        actor=system,
        space=lamps,
        name="Order/../42",
        products=[ProductInput(name="Lamp", units=1, unit_value=Decimal("1"))],
    ).order

    with pytest.raises(Conflict, match="holds the export of another order"):
        export_targets.export_order_files(actor=system, order_id=twin.pk, target_name="workshop")
    assert (export_root / "jobs" / "Order_.._42" / "manifest.json").read_bytes() == manifest


def test_an_s3_export_uploads_the_files_then_the_manifest(
    admin_actor, system, order, s3_environment, private_addresses_allowed
):
    server = s3_environment
    export_targets.create_export_target(
        actor=admin_actor,
        name="cloud",
        kind="s3",
        bucket=server.bucket,
        prefix="/exports/shop/",
        endpoint_url=server.endpoint_url,
    )

    result = export_targets.export_order_files(actor=system, order_id=order.pk, target_name="cloud")

    assert result.location == f"s3://{server.bucket}/exports/shop/Order_.._42"
    assert result.written == [*EXPECTED_PATHS, "manifest.json"]
    client = server.client()
    listed = client.list_objects_v2(Bucket=server.bucket, Prefix="exports/shop/Order_.._42/")
    keys = sorted(item["Key"] for item in listed["Contents"])
    assert keys == sorted(
        f"exports/shop/Order_.._42/{path}" for path in [*EXPECTED_PATHS, "manifest.json"]
    )
    for path, asset in expected_files(order).items():
        body = client.get_object(Bucket=server.bucket, Key=f"exports/shop/Order_.._42/{path}")
        assert sha256(body["Body"].read()) == asset.sha256
        assert body["ContentType"] == asset.content_type
    manifest_object = client.get_object(
        Bucket=server.bucket, Key="exports/shop/Order_.._42/manifest.json"
    )
    manifest = json.loads(manifest_object["Body"].read())
    assert manifest["order"]["id"] == str(order.pk)
    stamps = {item["Key"]: item["LastModified"] for item in listed["Contents"]}
    assert stamps["exports/shop/Order_.._42/manifest.json"] == max(stamps.values())

    again = export_targets.export_order_files(actor=system, order_id=order.pk, target_name="cloud")

    assert again.written == []
    relisted = client.list_objects_v2(Bucket=server.bucket, Prefix="exports/shop/Order_.._42/")
    assert {item["Key"]: (item["ETag"], item["LastModified"]) for item in relisted["Contents"]} == {
        item["Key"]: (item["ETag"], item["LastModified"]) for item in listed["Contents"]
    }


def test_an_unreachable_s3_target_fails_the_task_for_a_retry(
    admin_actor, order, monkeypatch, private_addresses_allowed
):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("ACME_ACCESS_KEY_ID", "id")
    monkeypatch.setenv("ACME_SECRET_ACCESS_KEY", "secret")
    export_targets.create_export_target(
        actor=admin_actor,
        name="down",
        kind="s3",
        bucket="nowhere",
        endpoint_url=f"http://127.0.0.1:{port}",
        credentials_env="ACME",
        region="us-east-1",
    )

    with pytest.raises(HandlerFailure) as raised:
        handler.execute(context(order, target="down"))

    assert raised.value.retryable is True
    assert raised.value.message.startswith(
        "Cannot write to the export target 'down' (s3://nowhere/Order_.._42): "
    )


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.1.2.3", "[::1]", "169.254.169.254"])
def test_an_s3_target_on_a_private_address_is_refused_and_nothing_is_saved(admin_actor, host):
    with pytest.raises(InvalidInput) as refused:
        export_targets.create_export_target(
            actor=admin_actor,
            name="inside",
            kind="s3",
            bucket="jobs",
            endpoint_url=f"http://{host}:9000",
        )

    name = host.strip("[]")
    assert refused.value.message == (
        f"endpoint_url: The address of host {name!r} is not allowed: it is not public"
    )
    assert refused.value.field == ("endpoint_url",)
    assert ExportTarget.objects.count() == 0


def test_the_installation_setting_allows_a_private_s3_target(admin_actor, settings):
    settings.FABFLOW_ALLOW_PRIVATE_WEBHOOKS = True

    export_targets.create_export_target(
        actor=admin_actor,
        name="inside",
        kind="s3",
        bucket="jobs",
        endpoint_url="http://localhost:9000",
    )

    assert ExportTarget.objects.get().endpoint_url == "http://localhost:9000"


def test_an_export_to_an_address_no_longer_allowed_fails_for_good_naming_the_host(
    admin_actor, order, s3_environment, private_addresses_allowed
):
    server = s3_environment
    port = server.endpoint_url.rsplit(":", 1)[1]
    export_targets.create_export_target(
        actor=admin_actor,
        name="cloud",
        kind="s3",
        bucket=server.bucket,
        endpoint_url=f"http://localhost:{port}",
    )
    private_addresses_allowed.allow_private_addresses = False
    private_addresses_allowed.save(update_fields=["allow_private_addresses"])

    with pytest.raises(HandlerFailure) as raised:
        handler.execute(context(order, target="cloud"))

    assert (raised.value.message, raised.value.retryable) == (
        "endpoint_url: The address of host 'localhost' is not allowed: it is not public",
        False,
    )
    listed = server.client().list_objects_v2(Bucket=server.bucket, Prefix="Order_.._42/")
    assert "Contents" not in listed


def context(order, **payload):
    return SimpleNamespace(
        order=order, task=SimpleNamespace(task_key="export"), payload=handler.Payload(**payload)
    )


def test_the_handler_reports_what_it_did(admin_actor, order, export_root):
    folder_target(admin_actor, export_root)

    result = handler.execute(context(order, target="workshop"))

    assert result == {
        "target": "workshop",
        "location": str(export_root / "jobs" / "Order_.._42"),
        "written": [*EXPECTED_PATHS, "manifest.json"],
        "unchanged": [],
        "removed": [],
    }


def test_an_unknown_target_fails_the_task_for_good(order):
    with pytest.raises(HandlerFailure) as raised:
        handler.execute(context(order, target="nowhere"))

    assert (raised.value.message, raised.value.retryable) == (
        "No export target is named 'nowhere'",
        False,
    )


def test_another_organizations_target_is_unknown(admin_actor, export_root, stranger, order):
    folder_target(admin_actor, export_root)

    with pytest.raises(NotFound):
        export_targets.get_export_target(actor=Actor.for_user(stranger), name="workshop")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "folder", "path": "/etc"}, "path: must lie inside one of the folders"),
        ({"kind": "folder", "path": "jobs"}, "path: must be an absolute folder"),
        ({"kind": "folder", "path": "{root}/../escape"}, "path: must lie inside one of the"),
        ({"kind": "s3", "bucket": "No_Such"}, "bucket: not a valid S3 bucket name"),
        ({"kind": "s3", "bucket": "ok-bucket", "credentials_env": "a b"}, "credentials_env: "),
        ({"kind": "s3", "bucket": "ok-bucket", "endpoint_url": "s3.test"}, "endpoint_url: must"),
        ({"kind": "ftp"}, "kind: must be 'folder' or 's3'"),
    ],
)
def test_a_bad_target_is_refused_and_nothing_is_saved(admin_actor, export_root, fields, message):
    fields = {key: value.replace("{root}", str(export_root)) for key, value in fields.items()}

    with pytest.raises(InvalidInput, match=message):
        export_targets.create_export_target(actor=admin_actor, name="bad", **fields)
    assert ExportTarget.objects.count() == 0


def test_only_admins_manage_targets(member, key_actor, export_root):
    for actor in (Actor.for_user(member), key_actor):
        with pytest.raises(Forbidden):
            export_targets.create_export_target(
                actor=actor, name="workshop", kind="folder", path=str(export_root)
            )
    assert ExportTarget.objects.count() == 0


def test_target_names_are_unique_in_an_organization(admin_actor, export_root):
    folder_target(admin_actor, export_root)

    with pytest.raises(Conflict, match="'workshop' exists already"):
        folder_target(admin_actor, export_root)
    assert ExportTarget.objects.count() == 1


def test_deleting_a_target(admin_actor, export_root):
    folder_target(admin_actor, export_root)

    export_targets.delete_export_target(actor=admin_actor, name="workshop")

    assert export_targets.list_export_targets(actor=admin_actor) == []
    with pytest.raises(NotFound):
        export_targets.delete_export_target(actor=admin_actor, name="workshop")
