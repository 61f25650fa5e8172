"""generate-production-files: the space's generator run on each product, its files attached."""

import io
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pytest
import trimesh
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from fabflow.accounts.actors import Actor
from fabflow.errors import InvalidInput, NotFound
from fabflow.files import services as file_services
from fabflow.files.generation import generate_production_files
from fabflow.flows.handlers import generate_production_files as handler
from fabflow.flows.registry import HandlerFailure
from fabflow.orders.models import Asset, AssetKind, OrderEvent, OrderEventType
from fabflow.orders.services import PartInput, ProductInput, create_order

TOLERANCE_MM = 0.01
RING = {"size": 18.2, "width": 4, "thickness": 1.6, "profile": "comfort"}
BOX = {"width": 60, "depth": 40.5, "height": 30, "wall": 2, "lidHeight": 6}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


@pytest.fixture
def system(organization):
    return Actor.system(organization_id=organization.pk)


def make_order(actor, space, products, name="Order 1"):
    return create_order(actor=actor, space=space, name=name, products=products).order


def ring_order(actor, space, configurations=(RING, {**RING, "size": 20})):
    space.generator = "ring"
    space.save()
    return make_order(
        actor,
        space,
        [
            ProductInput(
                name=f"Ring {index + 1}",
                units=1,
                unit_value=Decimal("99.00"),
                configuration=configuration,
            )
            for index, configuration in enumerate(configurations)
        ],
    )


def load(asset: Asset, file_type: str) -> trimesh.Trimesh:
    with default_storage.open(asset.storage_name, "rb") as handle:
        loaded = trimesh.load(io.BytesIO(handle.read()), file_type=file_type)
    return loaded.to_geometry() if isinstance(loaded, trimesh.Scene) else loaded


def test_each_ring_gets_a_watertight_stl_of_its_size_and_a_preview(system, key_actor, space):
    order = ring_order(key_actor, space)

    result = generate_production_files(
        actor=system, order_id=order.pk, file_format="stl", source="task:files"
    )

    assert (result.generator, result.file_format, result.replaced) == ("ring", "stl", 0)
    for product, size in zip(order.products.order_by("position"), (18.2, 20), strict=True):
        production = product.assets.get(kind=AssetKind.PRODUCTION)
        assert (production.filename, production.content_type, production.source) == (
            f"{product.name}.stl",
            "model/stl",
            "task:files",
        )
        mesh = load(production, "stl")
        mesh.merge_vertices()
        assert mesh.is_watertight
        outer = size + 2 * 1.6
        np.testing.assert_allclose(mesh.extents, [outer, outer, 4], atol=TOLERANCE_MM)
        preview = product.assets.get(kind=AssetKind.PREVIEW)
        assert (preview.filename, preview.content_type) == (
            f"{product.name} preview.png",
            "image/png",
        )
        with default_storage.open(preview.storage_name, "rb") as handle:
            image = Image.open(io.BytesIO(handle.read()))
            assert (image.format, image.size) == ("PNG", (512, 512))
            assert len(np.unique(np.asarray(image.convert("L")))) > 10  # shaded, not blank
    assert [file.filename for file in result.files] == [
        "Ring 1.stl",
        "Ring 1 preview.png",
        "Ring 2.stl",
        "Ring 2 preview.png",
    ]
    event = OrderEvent.objects.filter(order=order).latest("created_at")
    assert (event.type, event.actor_label, event.details["files"]) == (
        OrderEventType.ASSET_ADDED,
        "Fabflow",
        ["Ring 1.stl", "Ring 1 preview.png", "Ring 2.stl", "Ring 2 preview.png"],
    )


def test_a_box_with_parts_named_box_and_lid_gets_one_3mf_per_part(system, key_actor, space):
    space.generator = "box"
    space.save()
    order = make_order(
        key_actor,
        space,
        [
            ProductInput(
                name="Gift box",
                units=2,
                unit_value=Decimal("25.00"),
                configuration=BOX,
                parts=[PartInput(name="Box"), PartInput(name="Lid")],
            )
        ],
    )

    generate_production_files(actor=system, order_id=order.pk, file_format="3mf", source="task:f")

    product = order.products.get()
    body_part, lid_part = product.parts.order_by("position")
    body = body_part.assets.get()
    lid = lid_part.assets.get()
    assert (body.filename, lid.filename) == ("Gift box box.3mf", "Gift box lid.3mf")
    assert body.content_type == "model/3mf"
    body_mesh, lid_mesh = load(body, "3mf"), load(lid, "3mf")
    assert body_mesh.is_watertight and lid_mesh.is_watertight
    np.testing.assert_allclose(body_mesh.extents, [60, 40.5, 24], atol=TOLERANCE_MM)
    np.testing.assert_allclose(lid_mesh.extents, [60, 40.5, 9], atol=TOLERANCE_MM)
    assert list(product.assets.values_list("kind", flat=True)) == [AssetKind.PREVIEW]


def test_a_product_without_matching_parts_gets_all_its_files(system, key_actor, space):
    space.generator = "box"
    space.save()
    order = make_order(
        key_actor,
        space,
        [ProductInput(name="Box", units=1, unit_value=Decimal("5"), configuration=BOX)],
    )

    generate_production_files(actor=system, order_id=order.pk, file_format="obj", source="task:f")

    assert sorted(order.products.get().assets.values_list("filename", flat=True)) == [
        "Box box.obj",
        "Box lid.obj",
        "Box preview.png",
    ]


def test_running_again_replaces_its_own_files_and_keeps_the_others(
    system, key_actor, space, django_capture_on_commit_callbacks
):
    order = ring_order(key_actor, space, configurations=(RING,))
    product = order.products.get()
    uploaded = file_services.add_asset(
        actor=key_actor,
        owner_type="product",
        owner_id=product.pk,
        upload=SimpleUploadedFile("sketch.pdf", b"%PDF-1.4"),
        kind="other",
    )
    generate_production_files(actor=system, order_id=order.pk, file_format="stl", source="task:a")
    other_task = generate_production_files(
        actor=system, order_id=order.pk, file_format="3mf", source="task:b"
    )
    first = {asset.pk: asset.storage_name for asset in product.assets.filter(source="task:a")}

    with django_capture_on_commit_callbacks(execute=True):
        again = generate_production_files(
            actor=system, order_id=order.pk, file_format="stl", source="task:a"
        )

    assert again.replaced == 2
    current = list(product.assets.filter(source="task:a").order_by("kind"))
    assert [asset.filename for asset in current] == ["Ring 1 preview.png", "Ring 1.stl"]
    assert not set(first) & {asset.pk for asset in current}
    assert not any(default_storage.exists(name) for name in first.values())
    assert product.assets.filter(pk=uploaded.pk).exists()
    assert {
        str(pk) for pk in product.assets.filter(source="task:b").values_list("pk", flat=True)
    } == {file.asset_id for file in other_task.files}
    assert OrderEvent.objects.filter(order=order).latest("created_at").type == (
        OrderEventType.ASSET_REPLACED
    )


def test_a_bad_configuration_names_product_and_parameter_and_stores_nothing(
    system, key_actor, space, media_root
):
    order = ring_order(key_actor, space, configurations=(RING, {"size": 18, "width": "4"}))
    events = OrderEvent.objects.filter(order=order).count()

    with pytest.raises(InvalidInput) as raised:
        generate_production_files(
            actor=system, order_id=order.pk, file_format="stl", source="task:f"
        )

    assert raised.value.message == (
        "product 'Ring 2' (#2): width: must be a number; thickness: field required"
    )
    assert raised.value.field == ("products", 1, "configuration", "width")
    assert Asset.objects.count() == 0
    assert OrderEvent.objects.filter(order=order).count() == events
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_space_without_a_generator_is_refused(system, key_actor, space):
    order = make_order(
        key_actor, space, [ProductInput(name="Ring", units=1, unit_value=Decimal("1"))]
    )

    with pytest.raises(InvalidInput, match="names no generator"):
        generate_production_files(
            actor=system, order_id=order.pk, file_format="stl", source="task:f"
        )


def test_an_unknown_format_is_refused(system, key_actor, space):
    order = ring_order(key_actor, space)

    with pytest.raises(InvalidInput, match="format: must be one of 'stl', '3mf', 'obj'"):
        generate_production_files(
            actor=system, order_id=order.pk, file_format="step", source="task:f"
        )
    assert Asset.objects.count() == 0


def test_another_organization_cannot_generate_for_the_order(key_actor, space, stranger):
    order = ring_order(key_actor, space)

    with pytest.raises(NotFound):
        generate_production_files(
            actor=Actor.for_user(stranger), order_id=order.pk, file_format="stl", source="x"
        )
    assert Asset.objects.count() == 0


def context(order, task_key="files", **payload):
    return SimpleNamespace(
        order=order,
        task=SimpleNamespace(task_key=task_key),
        payload=handler.Payload.model_validate(payload),
    )


def test_the_handler_attaches_files_under_its_task_key(key_actor, space):
    order = ring_order(key_actor, space)

    result = handler.execute(context(order, fileFormat="3mf"))

    assert [file["filename"] for file in result["files"]] == [
        "Ring 1.3mf",
        "Ring 1 preview.png",
        "Ring 2.3mf",
        "Ring 2 preview.png",
    ]
    assert set(Asset.objects.values_list("source", flat=True)) == {"task:files"}


def test_the_handler_fails_for_good_on_a_bad_configuration(key_actor, space):
    order = ring_order(key_actor, space, configurations=({"width": 4, "thickness": 2},))

    with pytest.raises(HandlerFailure) as raised:
        handler.execute(context(order, fileFormat="stl"))

    assert raised.value.message == "product 'Ring 1' (#1): size: field required"
    assert raised.value.retryable is False


def test_the_payload_generator_overrides_the_spaces(key_actor, space):
    order = ring_order(key_actor, space, configurations=(BOX,))

    result = handler.execute(context(order, fileFormat="stl", generator="box"))

    assert result["generator"] == "box"
    assert [file["filename"] for file in result["files"]] == [
        "Ring 1 box.stl",
        "Ring 1 lid.stl",
        "Ring 1 preview.png",
    ]
