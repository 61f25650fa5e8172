"""Stored data never takes a page down: rows written by hand, by older versions or through a
past bug render on every page and in every API read.

Each case writes one malformed row straight into the database with raw SQL (on the engines that
can store it), then loads every list page with every sortable column in both directions, the
filters, the search, every column shown, the details pages, the exports and every API read. A
value that cannot be shown appears as "invalid value" on the page, as null in the API, and is
logged with its row's id.
"""

import io
import json
import logging
import sys
import zipfile
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from fabflow.accounts.models import User
from fabflow.files.services import add_asset
from fabflow.flows import services as flow_services
from fabflow.flows.models import FlowVersion, TaskRun
from fabflow.orders.filters import OrderFilterSet, PartFilterSet, ProductFilterSet
from fabflow.orders.models import Asset, Order, OrderEvent
from fabflow.orders.services import create_order
from fabflow.orders.tables import OrderTable, PartTable, ProductTable
from tests.conftest import ring_products
from tests.web.test_detail_pages import FLOW

MARKER = "invalid value"
DEEP = "[" * 1000 + "]" * 1000
DEEP_NEXT = {"key": "t0", "handlerKey": "manual-confirmation", "payload": {"title": "x"}}


def _deep_next_definition() -> str:
    task = dict(DEEP_NEXT)
    for depth in range(1, 300):
        task = {**DEEP_NEXT, "key": f"t{depth}", "next": [task]}
    return json.dumps([{"key": "s", "tasks": [task]}])


@dataclass(frozen=True)
class Malformed:
    """One kind of malformed row: the SQL that writes it on each engine that can store it
    (`{id}` is the row's id), and where its marker shows."""

    name: str
    table: str
    row: str  # which row of the world: order, product, part, asset, task, event, user, version
    sqlite: str | None = None
    postgresql: str | None = None
    # Pages (order, product, part, orders, products, parts) whose HTML shows the marker.
    marked_pages: tuple[str, ...] = ()
    # (API path kind, JSON path) answered as null.
    nulls: tuple[tuple[str, tuple], ...] = ()
    # Whether SQLite must ignore CHECK constraints (JSON columns are checked with json_valid).
    unchecked: bool = False
    extra: dict = field(default_factory=dict)


def order_sql(column: str, value: str) -> str:
    return f"UPDATE orders_order SET {column} = {value} WHERE id = %s"


CASES = [
    Malformed(
        "order value beyond its precision",
        "orders_order",
        "order",
        sqlite=order_sql("value", "9999999999999.90"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("value",)),),
    ),
    Malformed(
        "order value as text",
        "orders_order",
        "order",
        sqlite=order_sql("value", "'lots'"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("value",)),),
    ),
    Malformed(
        "order value not a number",
        "orders_order",
        "order",
        postgresql=order_sql("value", "'NaN'"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("value",)),),
    ),
    Malformed(
        "product unit value beyond its precision",
        "orders_product",
        "product",
        sqlite="UPDATE orders_product SET unit_value = 9999999999999.90 WHERE id = %s",
        postgresql="UPDATE orders_product SET unit_value = 'NaN' WHERE id = %s",
        marked_pages=("order", "product", "products"),
        nulls=(("product", ("unitValue",)), ("order", ("products", 0, "unitValue"))),
    ),
    Malformed(
        "order created at garbage",
        "orders_order",
        "order",
        sqlite=order_sql("created_at", "'yesterday-ish'"),
        postgresql=order_sql("created_at", "'-infinity'"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("createdAt",)),),
    ),
    Malformed(
        "order deadline in year 10000",
        "orders_order",
        "order",
        sqlite=order_sql("deadline", "'10000-01-01 00:00:00'"),
        postgresql=order_sql("deadline", "'10000-01-01 00:00:00+00'"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("deadline",)), ("product", ("deadline",))),
    ),
    Malformed(
        "order updated at infinity",
        "orders_order",
        "order",
        sqlite=order_sql("updated_at", "'2025-02-30 10:00:00'"),
        postgresql=order_sql("updated_at", "'infinity'"),
        nulls=(("order", ("updatedAt",)),),
    ),
    Malformed(
        "product created at garbage",
        "orders_product",
        "product",
        sqlite="UPDATE orders_product SET created_at = 'soon' WHERE id = %s",
        postgresql="UPDATE orders_product SET created_at = 'infinity' WHERE id = %s",
        marked_pages=("product", "products"),
        nulls=(("product", ("createdAt",)),),
    ),
    Malformed(
        "part created in year 0",
        "orders_part",
        "part",
        sqlite="UPDATE orders_part SET created_at = '0000-01-01 00:00:00' WHERE id = %s",
        postgresql="UPDATE orders_part SET created_at = '0044-03-15 00:00:00+00 BC' WHERE id = %s",
        marked_pages=("part", "parts"),
        nulls=(("part", ("createdAt",)),),
    ),
    Malformed(
        "asset created at garbage",
        "orders_asset",
        "asset",
        sqlite="UPDATE orders_asset SET created_at = 'x' WHERE id = %s",
        postgresql="UPDATE orders_asset SET created_at = 'infinity' WHERE id = %s",
        marked_pages=("order",),
        nulls=(("order", ("assets", 0, "createdAt")),),
    ),
    Malformed(
        "task deadline garbage",
        "flows_taskrun",
        "task",
        sqlite="UPDATE flows_taskrun SET deadline_at = 'tomorrow' WHERE id = %s",
        postgresql="UPDATE flows_taskrun SET deadline_at = 'infinity' WHERE id = %s",
        marked_pages=("order",),
        nulls=(("order", ("tasks", 0, "deadlineAt")), ("tasks", ("items", 0, "deadlineAt"))),
    ),
    Malformed(
        "event created at garbage",
        "orders_orderevent",
        "event",
        sqlite="UPDATE orders_orderevent SET created_at = 'then' WHERE id = %s",
        postgresql="UPDATE orders_orderevent SET created_at = 'infinity' WHERE id = %s",
        marked_pages=("order",),
    ),
    # JSON that does not parse (SQLite stores any text when its checks are off).
    *[
        Malformed(
            f"{row} {column} not JSON",
            table,
            row,
            sqlite=f"UPDATE {table} SET {column} = '{text}' WHERE id = %s",
            marked_pages=pages,
            nulls=nulls,
            unchecked=True,
        )
        for row, table, column, text, pages, nulls in [
            ("order", "orders_order", "data", '{"a":', (), (("order", ("data",)),)),
            (
                "order",
                "orders_order",
                "tags",
                "[oops",
                ("order", "orders"),
                (("order", ("tags",)),),
            ),
            ("order", "orders_order", "addresses", "nope", (), (("order", ("addresses",)),)),
            (
                "product",
                "orders_product",
                "configuration",
                "{",
                ("product",),
                (("product", ("configuration",)),),
            ),
            ("part", "orders_part", "data", "}", ("part",), (("part", ("data",)),)),
            ("task", "flows_taskrun", "result", "{x", (), ()),
            ("task", "flows_taskrun", "tags", "[x", ("order",), ()),
            ("event", "orders_orderevent", "details", "{{", ("order",), ()),
            ("user", "accounts_user", "tags", "[", (), ()),
            ("user", "accounts_user", "preferences", "{", (), ()),
            ("version", "flows_flowversion", "definition", "[{", ("order",), ()),
        ]
    ],
    # Valid JSON of the wrong shape.
    *[
        Malformed(
            f"{row} {column} holding {text}",
            table,
            row,
            sqlite=f"UPDATE {table} SET {column} = '{text}' WHERE id = %s",
            postgresql=f"UPDATE {table} SET {column} = '{text}'::jsonb WHERE id = %s",
            marked_pages=pages,
            nulls=nulls,
        )
        for row, table, column, text, pages, nulls in [
            ("order", "orders_order", "data", "[1, 2]", (), (("order", ("data",)),)),
            ("order", "orders_order", "tags", '"printing"', ("orders",), (("order", ("tags",)),)),
            ("order", "orders_order", "tags", '[1, {"a": 2}]', (), (("order", ("tags",)),)),
            ("order", "orders_order", "addresses", '{"a": 1}', (), (("order", ("addresses",)),)),
            (
                "product",
                "orders_product",
                "configuration",
                "[]",
                ("product",),
                (("product", ("configuration",)),),
            ),
            ("part", "orders_part", "data", "5", ("part",), (("part", ("data",)),)),
            ("task", "flows_taskrun", "result", "[]", (), ()),
            ("event", "orders_orderevent", "details", '["a"]', ("order",), ()),
            ("user", "accounts_user", "tags", "7", (), ()),
            ("user", "accounts_user", "preferences", '{"tables": [1]}', (), ()),
            ("version", "flows_flowversion", "definition", '{"key": "x"}', ("order",), ()),
        ]
    ],
    Malformed(
        "order data nesting 1,000 levels deep",
        "orders_order",
        "order",
        sqlite=f"UPDATE orders_order SET data = '{{\"a\": {DEEP}}}' WHERE id = %s",
        postgresql=f"UPDATE orders_order SET data = '{{\"a\": {DEEP}}}'::jsonb WHERE id = %s",
    ),
    Malformed(
        "product configuration nesting 1,000 levels deep",
        "orders_product",
        "product",
        sqlite=f"UPDATE orders_product SET configuration = '{{\"a\": {DEEP}}}' WHERE id = %s",
        postgresql=(
            f"UPDATE orders_product SET configuration = '{{\"a\": {DEEP}}}'::jsonb WHERE id = %s"
        ),
        marked_pages=("product",),
    ),
    Malformed(
        "flow definition nesting 1,000 levels deep",
        "flows_flowversion",
        "version",
        sqlite=f"UPDATE flows_flowversion SET definition = '{DEEP}' WHERE id = %s",
        postgresql=f"UPDATE flows_flowversion SET definition = '{DEEP}'::jsonb WHERE id = %s",
        marked_pages=("order",),
    ),
    Malformed(
        "flow definition with next chains 300 deep and unknown handlers",
        "flows_flowversion",
        "version",
        sqlite="UPDATE flows_flowversion SET definition = %s WHERE id = %s",
        postgresql="UPDATE flows_flowversion SET definition = %s::jsonb WHERE id = %s",
        marked_pages=("order",),
        extra={"params": [_deep_next_definition()]},
    ),
    Malformed(
        "flow definition with an unknown handler",
        "flows_flowversion",
        "version",
        sqlite="UPDATE flows_flowversion SET definition = %s WHERE id = %s",
        postgresql="UPDATE flows_flowversion SET definition = %s::jsonb WHERE id = %s",
        extra={
            "params": [
                json.dumps(
                    [{"key": "make", "tasks": [{"key": "print", "handlerKey": "gone"}], "x": 1}]
                )
            ]
        },
    ),
    Malformed(
        "huge strings in order data, tags and name",
        "orders_order",
        "order",
        sqlite=(
            "UPDATE orders_order SET data = json_object('note', %s), "
            "tags = json_array(%s), name = %s WHERE id = %s"
        ),
        postgresql=(
            "UPDATE orders_order SET data = jsonb_build_object('note', %s::text), "
            "tags = jsonb_build_array(%s::text) WHERE id = %s"
        ),
        extra={"params": ["n" * 2_000_000, "t" * 100_000], "sqlite_params": ["N" * 100_000]},
    ),
    Malformed(
        "NUL characters in a name and in data",
        "orders_order",
        "order",
        sqlite="UPDATE orders_order SET name = %s, data = %s WHERE id = %s",
        extra={"params": ["WEB\x00-1", '{"note": "a\\u0000b"}']},
    ),
    Malformed(
        "lone surrogates in JSON",
        "orders_order",
        "order",
        sqlite=(
            'UPDATE orders_order SET data = \'{"note": "\\ud800"}\', '
            "tags = '[\"\\udc00\"]' WHERE id = %s"
        ),
        marked_pages=("order", "orders"),
    ),
    Malformed(
        "unknown order status",
        "orders_order",
        "order",
        sqlite=order_sql("status", "'weird'"),
        postgresql=order_sql("status", "'weird'"),
        marked_pages=("order", "orders"),
        nulls=(("order", ("status",)),),
    ),
    Malformed(
        "unknown task status",
        "flows_taskrun",
        "task",
        sqlite="UPDATE flows_taskrun SET status = 'weird' WHERE id = %s",
        postgresql="UPDATE flows_taskrun SET status = 'weird' WHERE id = %s",
        nulls=(("order", ("tasks", 0, "status")), ("tasks", ("items", 0, "status"))),
    ),
    Malformed(
        "unknown asset kind",
        "orders_asset",
        "asset",
        sqlite="UPDATE orders_asset SET kind = 'weird' WHERE id = %s",
        postgresql="UPDATE orders_asset SET kind = 'weird' WHERE id = %s",
        nulls=(("order", ("assets", 0, "kind")),),
    ),
    Malformed(
        "unknown event type",
        "orders_orderevent",
        "event",
        sqlite="UPDATE orders_orderevent SET type = 'weird' WHERE id = %s",
        postgresql="UPDATE orders_orderevent SET type = 'weird' WHERE id = %s",
        marked_pages=("order",),
    ),
    Malformed(
        "product file missing from storage",
        "orders_asset",
        "product_asset",
        sqlite="UPDATE orders_asset SET storage_name = 'gone/ring.stl' WHERE id = %s",
        postgresql="UPDATE orders_asset SET storage_name = 'gone/ring.stl' WHERE id = %s",
        extra={"zipped": ["ring.stl.missing.txt"]},
    ),
    Malformed(
        "event whose actor was deleted",
        "orders_orderevent",
        "event",
        # What deleting the user leaves (the key is SET_NULL): the name it had.
        sqlite="UPDATE orders_orderevent SET actor_user_id = NULL WHERE id = %s",
        postgresql="UPDATE orders_orderevent SET actor_user_id = NULL WHERE id = %s",
    ),
    Malformed(
        "task of a handler no longer registered",
        "flows_taskrun",
        "task",
        sqlite="UPDATE flows_taskrun SET handler_key = 'gone' WHERE id = %s",
        postgresql="UPDATE flows_taskrun SET handler_key = 'gone' WHERE id = %s",
    ),
]


def case_id(case: Malformed) -> str:
    return case.name.replace(" ", "-")


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), (10, 120, 200)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def world(admin_actor, admin, member, space, secret_key, settings, tmp_path):
    """An order of two products of two parts with files, a waiting manual task and a history;
    every column of every table shown to both users."""
    settings.MEDIA_ROOT = str(tmp_path / "files")
    order = create_order(
        actor=admin_actor, space=space, name="WEB-1", products=ring_products(2, 2), tags=["x"]
    ).order
    flow = flow_services.create_flow(
        actor=admin_actor, space=space, name="Print rings", definition=FLOW
    )
    flow_services.start_flow(actor=admin_actor, order_id=order.pk, flow_key=flow.key)
    product = order.products.order_by("position").first()
    part = product.parts.order_by("position").first()
    files = [("order", order.pk, "view.png", png(), "preview")]
    files += [("product", product.pk, "ring.stl", b"solid ring\nendsolid", "production")]
    files += [("part", part.pk, "band.stl", b"solid band\nendsolid", "production")]
    for owner_type, owner_id, name, content, kind in files:
        add_asset(
            actor=admin_actor,
            owner_type=owner_type,
            owner_id=owner_id,
            upload=SimpleUploadedFile(name, content),
            kind=kind,
        )
    every_column = {
        table.preference_key: {"columns": [name for name, _ in table.choosable_columns()]}
        for table in (OrderTable, ProductTable, PartTable)
    }
    User.objects.filter(pk__in=[admin.pk, member.pk]).update(preferences={"tables": every_column})
    return SimpleNamespace(
        order=order,
        product=product,
        part=part,
        asset=Asset.objects.get(order=order),
        product_asset=Asset.objects.get(product=product),
        task=TaskRun.objects.get(order=order),
        event=OrderEvent.objects.filter(order=order).order_by("created_at", "id").first(),
        version=FlowVersion.objects.get(flow=flow),
        user=member,
        flow=flow,
        secret=secret_key.secret,
    )


def write(case: Malformed, world) -> None:
    """Write the malformed row with raw SQL, past every check of the application."""
    statement = getattr(case, connection.vendor)
    if statement is None:
        pytest.fail("The case has no statement for this engine")
    row_id = getattr(world, case.row).pk
    params = [*case.extra.get("params", []), *case.extra.get(f"{connection.vendor}_params", [])]
    params.append(row_id.hex if connection.vendor == "sqlite" else row_id)
    with connection.cursor() as cursor:
        if case.unchecked:
            cursor.execute("PRAGMA ignore_check_constraints = ON")
        cursor.execute(statement, params)
        assert cursor.rowcount == 1
        if case.unchecked:
            cursor.execute("PRAGMA ignore_check_constraints = OFF")


def cases_for_this_engine():
    return [
        pytest.param(case, id=case_id(case))
        for case in CASES
        if getattr(case, "sqlite" if _engine() == "sqlite" else "postgresql") is not None
    ]


def _engine() -> str:
    from django.conf import settings

    return "sqlite" if "sqlite" in settings.DATABASES["default"]["ENGINE"] else "postgresql"


TABLE_OF_ROW = {"product": "products", "product_asset": "products", "part": "parts"}


def list_urls(sorted_page: str) -> dict[str, list[str]]:
    """Every list page, with the filters; `sorted_page` also by every ordering both ways."""
    urls = {}
    for page, filterset, filters in (
        ("orders", OrderFilterSet, ["status=created", "search=WEB", "tag=x", "mine=1"]),
        ("products", ProductFilterSet, ["search=ring"]),
        ("parts", PartFilterSet, ["search=band"]),
    ):
        base = "/" if page == "orders" else f"/{page}/"
        orderings = [f"ordering={sign}{name}" for name in filterset.ORDERINGS for sign in "-+"]
        queries = ["", *filters, "createdFrom=2000-01-01&createdTo=2999-01-01"]
        if page == sorted_page:
            queries += orderings
        urls[page] = [f"{base}?{query}".replace("+", "%2B").rstrip("?") for query in queries]
    return urls


def page_ok(client: Client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.fixture(autouse=True)
def quick_passwords(settings):
    """Users are signed in directly: their passwords need no costly hashing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize("case", cases_for_this_engine())
def test_a_malformed_row_takes_no_page_down(case, world, admin, caplog):
    """Every page, export and API read answers; the marker shows where the value does, and
    the row is logged by its id."""
    write(case, world)
    with caplog.at_level(logging.WARNING, logger="fabflow"):
        shown = check_pages(case, world)
        check_exports(case, world)
        check_admin_pages(world, admin)
        answers = check_api(world)
    for page in case.marked_pages:
        assert MARKER in shown[page], page
    for name, path in case.nulls:
        assert at(answers[name], path) is None, (name, path, at(answers[name], path))
    if case.marked_pages or case.nulls:
        row = getattr(world, case.row)
        assert any(
            str(row.pk) in record.getMessage() or row.pk.hex in record.getMessage()
            for record in caplog.records
            if record.levelno == logging.WARNING
        )


def check_pages(case: Malformed, world) -> dict[str, str]:
    """A member's list pages (htmx table regions too), details pages and flow pages."""
    client = Client()
    client.force_login(world.user)
    shown = {}
    for page, urls in list_urls(TABLE_OF_ROW.get(case.row, "orders")).items():
        shown[page] = page_ok(client, urls[0])
        for url in urls[1:]:
            page_ok(client, url)
        region = page_ok(client, urls[0], **{"HX-Request": "true", "HX-Target": "table-region"})
        assert "<table" in region
    shown["order"] = page_ok(client, f"/orders/{world.order.pk}/")
    page_ok(client, f"/orders/{world.order.pk}/", **{"HX-Target": "order-live"})
    shown["product"] = page_ok(client, f"/products/{world.product.pk}/")
    shown["part"] = page_ok(client, f"/parts/{world.part.pk}/")
    page_ok(client, "/flows/")
    page_ok(client, f"/flows/{world.flow.space.key}/{world.flow.key}/")
    return shown


def check_exports(case: Malformed, world) -> None:
    """CSV exports of each table, and zips with the files of products and parts."""
    client = Client()
    client.force_login(world.user)
    for page, row in (("orders", world.order), ("products", world.product), ("parts", world.part)):
        response = client.post(f"/{page}/export/", {"ids": str(row.pk)})
        assert response.status_code == 200, page
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert len(response.content.decode().splitlines()) == 2
    for page, row, folder_files in (
        ("products", world.product, case.extra.get("zipped", ["ring.stl"])),
        ("parts", world.part, ["band.stl"]),
    ):
        response = client.post(f"/{page}/export/", {"ids": str(row.pk), "assets": "1"})
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        names = archive.namelist()
        assert names[0] == f"{page}.csv"
        assert [name.rsplit("/", 1)[-1] for name in names[1:]] == folder_files


def check_admin_pages(world, admin) -> None:
    client = Client()
    client.force_login(admin)
    for url in ["/", f"/orders/{world.order.pk}/", "/users/", "/secret-keys/", "/flows/"]:
        page_ok(client, url)


def parse(text: str):
    """JSON as a client reads it, however deep it nests."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)
    try:
        return json.loads(text)
    finally:
        sys.setrecursionlimit(limit)


def at(document, path):
    for step in path:
        document = document[step]
    return document


def check_api(world) -> dict:
    """Every API read, the lists by every ordering; the answers of the single reads."""
    api = Client(headers={"Authorization": f"Bearer {world.secret}"})
    answers = {}
    paths = {
        "order": f"/orders/{world.order.pk}",
        "product": f"/products/{world.product.pk}",
        "part": f"/parts/{world.part.pk}",
        "tasks": f"/orders/{world.order.pk}/tasks",
        "events": f"/orders/{world.order.pk}/events",
    }
    lists = ["/orders", "/products", "/parts", "/flows", f"/flows/{world.flow.key}"]
    for name, filterset in (
        ("orders", OrderFilterSet),
        ("products", ProductFilterSet),
        ("parts", PartFilterSet),
    ):
        lists += [
            f"/{name}?ordering={sign}{key}&limit=1"
            for key in filterset.ORDERINGS
            for sign in ("", "-")
        ]
    for name, path in paths.items():
        response = api.get(f"/api/v1{path}")
        assert response.status_code == 200, path
        answers[name] = parse(response.content.decode())
    for path in lists:
        response = api.get(f"/api/v1{path}")
        assert response.status_code == 200, path
        parse(response.content.decode())
    return answers


def test_saving_a_row_writes_what_it_could_not_read_back_as_stored(world, caplog):
    """A service that saves the whole row keeps the unreadable values as they were."""
    amount = "9999999999999.90" if connection.vendor == "sqlite" else "'NaN'"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE orders_order SET value = {amount}, data = '[1, 2]' WHERE id = %s",
            [world.order.pk.hex if connection.vendor == "sqlite" else world.order.pk],
        )
        cursor.execute("SELECT value, data FROM orders_order WHERE name = 'WEB-1'")
        stored = cursor.fetchone()
    order = Order.objects.get(pk=world.order.pk)
    with caplog.at_level(logging.WARNING, logger="fabflow.stored"):
        assert str(order.value) == str(order.data) == MARKER
    assert len(caplog.records) == 2
    order.name = "WEB-1 renamed"
    order.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, data FROM orders_order WHERE name = 'WEB-1 renamed'")
        # As text: NaN equals nothing, itself included.
        assert [str(value) for value in cursor.fetchone()] == [str(value) for value in stored]
