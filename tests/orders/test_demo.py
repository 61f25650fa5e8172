"""`fabflow demo`: demo orders whose every status comes from the flow engine, whose rings and
boxes carry the built-in generators' files, and whose history lies after their creation."""

import hashlib
import io
import zipfile
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from fabflow.files.generation import PREVIEW_SIZE, build_files
from fabflow.flows.models import FlowRun, FlowRunStatus, TaskRun, TaskStatus
from fabflow.generators import generate_meshes, get_generator
from fabflow.orders.demo import CATALOGUE_BY_NAME, FILE_FORMAT, FLOW_KEY, REJECTIONS, load_demo
from fabflow.orders.models import Asset, Order, OrderEvent, OrderStatus, Part, Product

STAGE_TAGS = {"check": "design", "print": "printing", "ship": "shipping"}
# Where each generated file of a demo product goes: the part its mesh names, else the product.
EXPECTED_FILES = {
    "Engraved ring": {
        ("product", "Engraved ring.stl", "production"),
        ("product", "Engraved ring preview.png", "preview"),
    },
    "Storage box": {
        ("Box", "Storage box box.stl", "production"),
        ("Lid", "Storage box lid.stl", "production"),
        ("product", "Storage box preview.png", "preview"),
    },
}


@pytest.fixture(autouse=True)
def files_folder(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "files")
    return tmp_path / "files"


def tasks_of(order) -> list[tuple[str, str]]:
    return list(
        TaskRun.objects.filter(order=order)
        .order_by("stage_index")
        .values_list("task_key", "status")
    )


def test_every_status_is_reached_through_the_demo_flow(space):
    assert load_demo(space=space, count=60) == 60

    orders = list(Order.objects.filter(space=space))
    assert len(orders) == 60
    statuses = Counter(order.status for order in orders)
    assert set(statuses) == set(OrderStatus.values)
    for order in orders:
        runs = list(FlowRun.objects.filter(order=order))
        tasks = tasks_of(order)
        if order.status == OrderStatus.CREATED:
            assert (order.flow_key, runs, tasks) == ("", [], [])
            continue
        assert order.flow_key == FLOW_KEY
        assert len(runs) == 1
        done = [key for key, status in tasks if status == TaskStatus.SUCCEEDED]
        if order.status == OrderStatus.SUCCESS:
            assert runs[0].status == FlowRunStatus.SUCCEEDED
            assert done == ["approve-design", "confirm-printed", "hand-over"]
            continue
        current = TaskRun.objects.get(
            order=order, status__in=[TaskStatus.WAITING, TaskStatus.FAILED]
        )
        assert [key for key, _ in tasks] == [*done, current.task_key]
        assert STAGE_TAGS[current.stage_key] in order.tags
        if order.status == OrderStatus.IN_PROGRESS:
            assert (current.status, current.is_overdue) == (TaskStatus.WAITING, False)
        elif order.status == OrderStatus.UNHEALTHY:
            assert (current.task_key, current.status, current.is_overdue) == (
                "approve-design",
                TaskStatus.WAITING,
                True,
            )
        else:
            assert order.status == OrderStatus.FAILURE
            assert current.status == TaskStatus.FAILED
            assert current.error in REJECTIONS
    # Each order's history tells how it got there: In progress, then Success, and so on.
    for order in orders:
        changes = [
            event.details["to"]
            for event in OrderEvent.objects.filter(order=order, type="status_changed").order_by(
                "created_at", "id"
            )
        ]
        expected = {
            OrderStatus.CREATED: [],
            OrderStatus.IN_PROGRESS: ["in_progress"],
            OrderStatus.SUCCESS: ["in_progress", "success"],
            OrderStatus.UNHEALTHY: ["in_progress", "unhealthy"],
            OrderStatus.FAILURE: ["in_progress", "failure"],
        }[order.status]
        assert changes == expected, order.name


def test_loading_again_keeps_the_orders_and_adds_the_missing_ones(space):
    load_demo(space=space, count=10)
    kept = {order.pk: order.updated_at for order in Order.objects.all()}

    assert load_demo(space=space, count=12) == 2
    assert Order.objects.count() == 12
    assert {o.pk: o.updated_at for o in Order.objects.filter(pk__in=kept)} == kept
    assert load_demo(space=space, count=12) == 0


def test_the_command_names_the_space_and_refuses_an_unknown_one(space, capsys):
    call_command("demo", "--space", space.key, "--orders", "3")
    assert capsys.readouterr().out == f"Loaded 3 demo orders into {space.name}\n"

    with pytest.raises(CommandError, match="No product space 'nowhere'"):
        call_command("demo", "--space", "nowhere")


def files_of(product) -> set[tuple[str, str, str]]:
    owned = {("product", a.filename, a.kind) for a in Asset.objects.filter(product=product)}
    return owned | {
        (a.part.name, a.filename, a.kind) for a in Asset.objects.filter(part__product=product)
    }


def generator_output(product) -> dict[str, str]:
    """sha256 by file name of what the product's generator makes for its configuration."""
    item = CATALOGUE_BY_NAME[product.name]
    meshes = generate_meshes(get_generator(item.generator), item.parameters(product.configuration))
    return {
        built.filename: hashlib.sha256(built.content).hexdigest()
        for built in build_files(product.name, meshes, FILE_FORMAT)
    }


def test_rings_and_boxes_of_orders_in_a_flow_carry_the_generators_files(space, files_folder):
    load_demo(space=space, count=40)

    with_files = set()
    for product in Product.objects.filter(space=space).select_related("order"):
        expected = EXPECTED_FILES.get(product.name, set())
        if product.order.status == OrderStatus.CREATED:
            expected = set()
        assert files_of(product) == expected, (product.order.name, product.name)
        if not expected:
            continue
        with_files.add(product.order_id)
        assets = Asset.objects.filter(product=product) | Asset.objects.filter(part__product=product)
        # Copies of the real generator's output for this very configuration, each its own file.
        assert {a.filename: a.sha256 for a in assets} == generator_output(product)
        for asset in assets:
            stored = (files_folder / asset.storage_name).read_bytes()
            assert (len(stored), hashlib.sha256(stored).hexdigest()) == (asset.size, asset.sha256)
        preview = assets.get(kind="preview")
        assert preview.content_type == "image/png"
        with Image.open(files_folder / preview.storage_name) as image:
            assert image.size == PREVIEW_SIZE
    assert len({a.storage_name for a in Asset.objects.all()}) == Asset.objects.count()
    # A third to a half of the orders show files and previews.
    assert 40 / 3 <= len(with_files) <= 40 / 2
    assert Part.objects.filter(assets__isnull=False).exists()


def test_the_zip_export_of_a_demo_orders_products_holds_their_files(space, admin, client):
    load_demo(space=space, count=12)
    order = (
        Order.objects.filter(products__name="Storage box", products__assets__isnull=False)
        .distinct()
        .order_by("name")
        .first()
    )
    products = list(order.products.order_by("position"))
    client.force_login(admin)

    response = client.post(
        "/products/export/",
        {"ids": ",".join(str(product.pk) for product in products), "assets": "1"},
    )

    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    expected = ["products.csv"]
    for product in products:
        folder = f"{product.name} ({product.pk.hex[-8:]})"
        expected += [
            f"{folder}/{asset.filename}"
            for asset in Asset.objects.filter(product=product).order_by("created_at", "filename")
        ]
    assert sorted(archive.namelist()) == sorted(expected)
    assert "Storage box preview.png" in {name.rsplit("/", 1)[-1] for name in expected}
    for product in products:
        for asset in Asset.objects.filter(product=product):
            folder = f"{product.name} ({product.pk.hex[-8:]})"
            content = archive.read(f"{folder}/{asset.filename}")
            assert hashlib.sha256(content).hexdigest() == asset.sha256


def test_no_time_of_a_demo_order_precedes_its_creation(space):
    load_demo(space=space, count=40)

    for order in Order.objects.filter(space=space):
        created = order.created_at
        assert order.deadline > created, order.name
        times = [
            *OrderEvent.objects.filter(order=order).values_list("created_at", flat=True),
            *Product.objects.filter(order=order).values_list("created_at", flat=True),
            *Part.objects.filter(order=order).values_list("created_at", flat=True),
            *Asset.objects.filter(product__order=order).values_list("created_at", flat=True),
            *Asset.objects.filter(part__order=order).values_list("created_at", flat=True),
        ]
        for run in FlowRun.objects.filter(order=order):
            times += [run.started_at, *filter(None, [run.finished_at])]
        for task in TaskRun.objects.filter(order=order):
            times += [task.created_at, *filter(None, [task.started_at, task.finished_at])]
        assert min(times) == created, order.name
        # The flow's times are those of the history lines written with them.
        history = set(OrderEvent.objects.filter(order=order).values_list("created_at", flat=True))
        assert set(times) - history <= {created}, order.name
        deadlines = Product.objects.filter(order=order).values_list("deadline", flat=True)
        assert all(d is None or d > created for d in deadlines), order.name
        # Each file takes the time of the history line that added it.
        added = OrderEvent.objects.filter(order=order, type="asset_added")
        for event in added:
            assets = Asset.objects.filter(source=event.details["source"])
            owned = assets.filter(product__order=order) | assets.filter(part__order=order)
            assert {a.created_at for a in owned} == {event.created_at}
    # The dates spread over the last two months, so the date filters have earlier days to find.
    days = {p.created_at.date() for p in Product.objects.filter(space=space)}
    assert len(days) > 10
