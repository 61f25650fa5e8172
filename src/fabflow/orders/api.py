"""REST API v1: orders, products, parts and their files (see CONTRACT.md).

Handlers parse, call one service and render; `fabflow.api.errors` turns service errors into
answers. Lists are cursor-paginated over the FilterSets of orders/filters.py.
"""

import json
import uuid
from collections import defaultdict
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from django.db import connection, models
from django.http import FileResponse, HttpResponseRedirect
from ninja import Query, Router, Schema
from pydantic import Field

from fabflow.accounts.models import ProductSpace
from fabflow.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from fabflow.api.schemas import (
    AssetOut,
    OrderIn,
    OrderOut,
    OrderPage,
    OrderPatch,
    PartOut,
    PartPage,
    ProductOut,
    ProductPage,
    StartFlowIn,
    TaskList,
    render,
    render_built,
    responses,
)
from fabflow.api.uploads import limit_upload
from fabflow.errors import InvalidInput
from fabflow.files import services as file_services
from fabflow.files.downloads import presigned_download_url
from fabflow.flows.models import TaskRun
from fabflow.orders import services
from fabflow.orders.models import Asset, AssetKind, Order, Part, Product

router = Router()

API_ROOT = "/api/v1"


# -- rendering -----------------------------------------------------------------------------------
# A page is rendered from plain rows fetched in a fixed number of queries (orders, products, parts,
# files, tasks), whatever its size: model instances and per-object prefetch querysets cost more
# than the database does.

ASSET_FIELDS = (
    "id",
    "order_id",
    "product_id",
    "part_id",
    "filename",
    "content_type",
    "size",
    "sha256",
    "kind",
    "created_at",
)
PRODUCT_FIELDS = (
    "id",
    "order_id",
    "name",
    "units",
    "unit_value",
    "deadline",
    "configuration",
    "data",
    "created_at",
)
PART_FIELDS = ("id", "product_id", "order_id", "name", "data", "created_at")
TASK_FIELDS = (
    "id",
    "run_id",
    "order_id",
    "task_key",
    "stage_key",
    "handler_key",
    "title",
    "status",
    "attempt",
    "started_at",
    "deadline_at",
    "finished_at",
    "is_overdue",
    "error",
)


def asset_url(asset_id) -> str:
    return f"{API_ROOT}/assets/{asset_id}/content"


def thumbnail_url(assets) -> str | None:
    """The newest preview image among an owner's files (rows or `Asset`s) is its thumbnail."""
    if not assets:
        return None
    previews = [
        asset if isinstance(asset, dict) else {name: getattr(asset, name) for name in ASSET_FIELDS}
        for asset in assets
    ]
    previews = [
        asset
        for asset in previews
        if asset["kind"] == AssetKind.PREVIEW and asset["content_type"].startswith("image/")
    ]
    if not previews:
        return None
    return asset_url(max(previews, key=lambda asset: (asset["created_at"], asset["id"]))["id"])


def render_asset(asset) -> dict:
    if isinstance(asset, Asset):
        asset = {name: getattr(asset, name) for name in ASSET_FIELDS}
    return {
        "id": asset["id"],
        "filename": asset["filename"],
        "contentType": asset["content_type"],
        "size": asset["size"],
        "sha256": asset["sha256"],
        "kind": asset["kind"],
        "createdAt": asset["created_at"],
        "downloadUrl": asset_url(asset["id"]),
    }


def render_task(task) -> dict:
    if isinstance(task, TaskRun):
        task = {name: getattr(task, name) for name in TASK_FIELDS}
    return {
        "id": task["id"],
        "key": task["task_key"],
        "stageKey": task["stage_key"],
        "handlerKey": task["handler_key"],
        "title": task["title"],
        "status": task["status"],
        "attempt": task["attempt"],
        "startedAt": task["started_at"],
        "deadlineAt": task["deadline_at"],
        "finishedAt": task["finished_at"],
        "overdue": task["is_overdue"],
        "error": task["error"],
    }


def _assets(*, order_ids=(), product_ids=(), part_ids=()) -> dict:
    """Files of the given owners, keyed by ("order"|"product"|"part", id), oldest first."""
    conditions = [
        (column, ids)
        for column, ids in (
            ("order_id", order_ids),
            ("product_id", product_ids),
            ("part_id", part_ids),
        )
        if ids
    ]
    grouped = defaultdict(list)
    if not conditions:
        return grouped
    rows = _rows(Asset, ASSET_FIELDS, conditions, order_by="created_at, id")
    for row in rows:
        if row["order_id"]:
            grouped["order", str(row["order_id"])].append(row)
        elif row["product_id"]:
            grouped["product", str(row["product_id"])].append(row)
        else:
            grouped["part", str(row["part_id"])].append(row)
    return grouped


def _render_part(part: dict, assets: dict) -> dict:
    files = assets.get(("part", str(part["id"])), [])
    return {
        "id": part["id"],
        "productId": part["product_id"],
        "orderId": part["order_id"],
        "name": part["name"],
        "data": part["data"],
        "createdAt": part["created_at"],
        "thumbnailUrl": thumbnail_url(files),
        "assets": [render_asset(asset) for asset in files],
    }


def _render_product(product: dict, order: dict, parts: list[dict], assets: dict) -> dict:
    files = assets.get(("product", str(product["id"])), [])
    return {
        "id": product["id"],
        "orderId": product["order_id"],
        "orderName": order["name"],
        "name": product["name"],
        "units": product["units"],
        "unitValue": f"{product['unit_value']:.2f}",
        "deadline": product["deadline"] or order["deadline"],
        "configuration": product["configuration"],
        "data": product["data"],
        "createdAt": product["created_at"],
        "thumbnailUrl": thumbnail_url(files),
        "parts": [_render_part(part, assets) for part in parts],
        "assets": [render_asset(asset) for asset in files],
    }


def _parts_by_product(parts) -> dict:
    grouped = defaultdict(list)
    for part in parts:
        grouped[str(part["product_id"])].append(part)
    return grouped


def _children(model, fields: tuple[str, ...], order_ids: list) -> list[dict]:
    """The products or parts of `order_ids` as dicts, in position order.

    Ids and times come as the text the answer shows (see `_converter`): a page holds hundreds
    of them, and building objects only for the encoder to turn back into text costs more than
    the query.
    """
    return _rows(model, fields, [("order_id", order_ids)], order_by="position", as_text=True)


def _rows(
    model, fields: tuple[str, ...], conditions, *, order_by: str, as_text: bool = False
) -> list[dict]:
    """Rows of `model` whose column is in ids, for any (column, ids) of `conditions`, as dicts.

    Read with one plain SQL query and converted here: Django's per-value converters (SQLite
    times above all) and lookups over hundreds of ids cost more than the query on a page of 50
    orders and their 450 children.
    """
    table = model._meta.db_table
    columns = [model._meta.get_field(name) for name in fields]
    is_sqlite = connection.vendor == "sqlite"
    where, params = [], []
    for column, ids in conditions:
        values = [_id_param(value, is_sqlite=is_sqlite) for value in ids]
        if is_sqlite:
            where.append(f"{column} IN ({', '.join(['%s'] * len(ids))})")
            params += values
        else:
            # One array parameter: psycopg parses a statement of hundreds of placeholders anew
            # on every call (~3 ms a page), while this text stays the same and is cached.
            where.append(f"{column} = ANY(%s)")
            params.append(values)
    selected = [
        _text_column(field) if as_text and not is_sqlite else field.column for field in columns
    ]
    sql = (
        f"SELECT {', '.join(selected)} FROM {table} WHERE {' OR '.join(where)} ORDER BY {order_by}"
    )
    converters = [_converter(field, is_sqlite=is_sqlite, as_text=as_text) for field in columns]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    pairs = list(zip(fields, converters, strict=True))
    return [
        {
            name: (convert(value) if value is not None else None)
            for (name, convert), value in zip(pairs, row, strict=True)
        }
        for row in rows
    ]


def _json_value(value):
    # Most stored objects are empty: skip the decoder for them.
    if value == "{}":
        return {}
    return json.loads(value) if isinstance(value, str | bytes) else value


def _sqlite_time(value) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment.replace(tzinfo=UTC)


def _sqlite_time_text(value) -> str:
    """A stored SQLite time ("2024-05-01 09:30:00[.123456]", UTC) as the answer writes it."""
    if isinstance(value, str) and len(value) in (19, 26) and value[10] == " ":
        return f"{value[:10]}T{value[11:]}Z"
    return _sqlite_time(value).isoformat().replace("+00:00", "Z")


def _uuid_text(value: str) -> str:
    """A UUID stored by SQLite as 32 hex digits, in its usual dashed form."""
    value = value.lower()
    return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"


def _id_param(value, *, is_sqlite: bool):
    """An id (a UUID or its text) as the database compares it."""
    if is_sqlite:
        return value.hex if isinstance(value, UUID) else value.replace("-", "").lower()
    return value if isinstance(value, UUID) else UUID(value)


# A UTC time as the answer writes it, "2024-05-01T09:30:00[.123456]Z" (no fraction when it is
# zero), made by PostgreSQL: parsing hundreds of times into objects only for the encoder to
# write them back costs more than the page's queries.
POSTGRESQL_TIME_TEXT = (
    "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN mod(date_part('microseconds', {column})::bigint, 1000000) = 0 THEN '' "
    "ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
)


def _text_column(field) -> str:
    """PostgreSQL: the SQL reading `field` as the text the answer shows, for ids and times."""
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.UUIDField):
        return f"{field.column}::text"
    if isinstance(target, models.DateTimeField):
        return POSTGRESQL_TIME_TEXT.format(column=field.column)
    return field.column


def _converter(field, *, is_sqlite: bool, as_text: bool = False):
    target = field.target_field if field.is_relation else field
    if isinstance(target, models.UUIDField):
        if as_text:
            return _uuid_text if is_sqlite else (lambda value: value)
        return (lambda value: uuid.UUID(hex=value)) if is_sqlite else (lambda value: value)
    if isinstance(target, models.DateTimeField) and is_sqlite:
        return _sqlite_time_text if as_text else _sqlite_time
    if isinstance(target, models.JSONField):
        return _json_value
    if isinstance(target, models.DecimalField):
        return lambda value: Decimal(str(value))
    return lambda value: value


def render_orders(orders: list[Order], *, space_keys=None, created=None) -> list[dict]:
    """Orders with their products, parts, files and latest flow run's tasks.

    `space_keys` (space id → key) saves looking the keys up. `created`, the (products, parts)
    rows `create_order` just wrote for the one order given, says it was just created without a
    flow: nothing is read back, and it has no files or tasks to look for.
    """
    if not orders:
        return []
    ids = [order.pk for order in orders]
    if space_keys is None:
        space_keys = dict(
            ProductSpace.objects.filter(pk__in={order.space_id for order in orders}).values_list(
                "id", "key"
            )
        )
    if created is not None:
        products, parts = created
    else:
        products = _children(Product, PRODUCT_FIELDS, ids)
        parts = _children(Part, PART_FIELDS, ids)
    assets, tasks = {}, defaultdict(list)
    if created is None:
        assets = _assets(
            order_ids=ids,
            product_ids=[product["id"] for product in products],
            part_ids=[part["id"] for part in parts],
        )
        for task in (
            TaskRun.objects.filter(order_id__in=ids)
            .order_by("stage_index", "created_at", "task_key")
            .values(*TASK_FIELDS)
        ):
            tasks[task["order_id"]].append(task)
    products_by_order = defaultdict(list)
    for product in products:
        products_by_order[str(product["order_id"])].append(product)
    parts_by_product = _parts_by_product(parts)
    rendered = []
    for order in orders:
        order_id = str(order.pk)
        deadline = order.deadline.astimezone(UTC) if order.deadline else None
        header = {"name": order.name, "deadline": deadline}
        files = assets.get(("order", order_id), [])
        rendered.append(
            {
                "id": order.pk,
                "name": order.name,
                "status": order.status,
                "value": f"{order.value:.2f}",
                "deadline": deadline,
                "createdAt": order.created_at,
                "updatedAt": order.updated_at,
                "spaceKey": space_keys[order.space_id],
                "flowKey": order.flow_key or None,
                "tags": order.tags,
                "data": order.data,
                "addresses": order.addresses,
                "thumbnailUrl": thumbnail_url(files),
                "products": [
                    _render_product(product, header, parts_by_product[str(product["id"])], assets)
                    for product in products_by_order[order_id]
                ],
                "assets": [render_asset(asset) for asset in files],
                "tasks": [render_task(task) for task in latest_run(tasks[order.pk])],
            }
        )
    return rendered


def latest_run(tasks: list[dict]) -> list[dict]:
    """The tasks of the order's latest flow run (run ids are time-ordered UUIDs)."""
    if not tasks:
        return []
    latest = max(task["run_id"] for task in tasks)
    return [task for task in tasks if task["run_id"] == latest]


def render_products(products: list[Product]) -> list[dict]:
    """Products with their parts and files."""
    if not products:
        return []
    ids = [product.pk for product in products]
    orders = {
        row["id"]: row
        for row in Order.objects.filter(pk__in={p.order_id for p in products}).values(
            "id", "name", "deadline"
        )
    }
    parts = list(
        Part.objects.filter(product_id__in=ids)
        .order_by("product_id", "position")
        .values(*PART_FIELDS)
    )
    assets = _assets(product_ids=ids, part_ids=[part["id"] for part in parts])
    parts_by_product = _parts_by_product(parts)
    return [
        _render_product(
            {name: getattr(product, name) for name in PRODUCT_FIELDS},
            orders[product.order_id],
            parts_by_product[str(product.pk)],
            assets,
        )
        for product in products
    ]


def render_parts(parts: list[Part]) -> list[dict]:
    """Parts with their files."""
    assets = _assets(part_ids=[part.pk for part in parts])
    return [
        _render_part({name: getattr(part, name) for name in PART_FIELDS}, assets) for part in parts
    ]


def render_order(order_id) -> dict:
    return render_orders([Order.objects.get(pk=order_id)])[0]


# -- parameters ----------------------------------------------------------------------------------


class PageParams(Schema):
    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)
    cursor: str | None = Field(None, max_length=1000)


class ListParams(PageParams):
    createdAfter: str | None = Field(None, description="ISO 8601 time; includes that instant")
    createdBefore: str | None = Field(None, description="ISO 8601 time; excludes that instant")
    search: str | None = Field(None, max_length=200, description="words starting names or ids")


class OrderListParams(ListParams):
    status: list[str] | None = Field(
        None,
        description="created, in_progress, success, unhealthy, failure; repeat or comma-separate",
    )
    tag: str | None = Field(None, max_length=50)
    ordering: str | None = Field(
        None, description="name, status, value, createdAt or deadline; prefix - for descending"
    )


class ProductListParams(ListParams):
    ordering: str | None = Field(
        None, description="name, units, unitValue or createdAt; prefix - for descending"
    )


class PartListParams(ListParams):
    ordering: str | None = Field(None, description="name or createdAt; prefix - for descending")


# -- orders --------------------------------------------------------------------------------------


@router.post(
    "/orders",
    response=responses({200: OrderOut, 201: OrderOut}, 403, 404, 409, 413),
    tags=["orders"],
    summary="Create an order (or get it back when the same request is sent again)",
)
def create_order(request, payload: OrderIn):
    created = services.submit_order(
        actor=request.auth,
        space_key=payload.spaceKey,
        name=payload.name,
        products=[
            services.ProductInput(
                name=product.name,
                units=product.units,
                unit_value=product.unitValue,
                deadline=product.deadline,
                configuration=product.configuration,
                data=product.data,
                parts=[
                    services.PartInput(name=part.name, data=part.data) for part in product.parts
                ],
            )
            for product in payload.products
        ],
        value=payload.value,
        deadline=payload.deadline,
        flow_key=payload.flowKey or "",
        tags=payload.tags,
        data=payload.data,
        addresses=payload.addresses,
    )
    order = created.order
    if created.is_new and not payload.flowKey:
        # Nothing but this request has touched the new order yet: render the rows it wrote.
        space = request.auth.key.space if request.auth.key is not None else order.space
        space_keys = {order.space_id: space.key}
        body = render_orders(
            [order], space_keys=space_keys, created=(created.products, created.parts)
        )[0]
    else:
        body = render_order(order.pk)
    return render_built(body, status=201 if created.is_new else 200)


@router.get("/orders", response=responses({200: OrderPage}), tags=["orders"], summary="List orders")
def list_orders(request, params: Query[OrderListParams]):
    filterset = services.filter_orders(actor=request.auth, params=request.GET)
    rows, next_cursor = paginate(
        filterset.qs, keys=filterset.sort_keys, limit=params.limit, cursor=params.cursor
    )
    key = request.auth.key
    space_keys = {key.space_id: key.space.key} if key is not None else None
    items = render_orders(rows, space_keys=space_keys)
    return render_built({"items": items, "nextCursor": next_cursor})


@router.get("/orders/{order_id}", response=responses({200: OrderOut}, 404), tags=["orders"])
def get_order(request, order_id: UUID):
    """Read an order with its products, parts, files and tasks."""
    order = services.get_order(actor=request.auth, order_id=order_id)
    return render_built(render_order(order.pk))


@router.patch(
    "/orders/{order_id}", response=responses({200: OrderOut}, 403, 404, 413), tags=["orders"]
)
def update_order(request, order_id: UUID, payload: OrderPatch):
    """Change an order's deadline, tags or data; fields left out stay as they are."""
    changes = {name: getattr(payload, name) for name in payload.model_fields_set}
    if changes.get("tags", []) is None:
        changes["tags"] = []
    if changes.get("data", {}) is None:
        changes["data"] = {}
    order = services.update_order(actor=request.auth, order_id=order_id, **changes)
    return render_built(render_order(order.pk))


@router.post(
    "/orders/{order_id}/flow",
    response=responses({200: OrderOut}, 403, 404, 409, 413),
    tags=["orders"],
    summary="Start a flow on an order (409 while one is active)",
)
def start_flow(request, order_id: UUID, payload: StartFlowIn):
    start = services.flow_service("start_flow")
    start(actor=request.auth, order_id=order_id, flow_key=payload.flowKey)
    return render(OrderOut, render_order(order_id))


@router.get(
    "/orders/{order_id}/tasks",
    response=responses({200: TaskList}, 404),
    tags=["orders"],
    summary="The order's task runs",
)
def list_order_tasks(request, order_id: UUID):
    tasks = services.flow_service("list_tasks")(actor=request.auth, order_id=order_id)
    return render(TaskList, {"items": [render_task(task) for task in tasks]})


# -- products and parts --------------------------------------------------------------------------


@router.get("/products", response=responses({200: ProductPage}), tags=["products"])
def list_products(request, params: Query[ProductListParams]):
    """List products."""
    filterset = services.filter_products(actor=request.auth, params=request.GET)
    rows, next_cursor = paginate(
        filterset.qs, keys=filterset.sort_keys, limit=params.limit, cursor=params.cursor
    )
    return render_built({"items": render_products(rows), "nextCursor": next_cursor})


@router.get("/products/{product_id}", response=responses({200: ProductOut}, 404), tags=["products"])
def get_product(request, product_id: UUID):
    """Read a product with its parts and files."""
    product = services.get_product(actor=request.auth, product_id=product_id)
    return render(ProductOut, render_products([product])[0])


@router.get("/parts", response=responses({200: PartPage}), tags=["parts"])
def list_parts(request, params: Query[PartListParams]):
    """List parts."""
    filterset = services.filter_parts(actor=request.auth, params=request.GET)
    rows, next_cursor = paginate(
        filterset.qs, keys=filterset.sort_keys, limit=params.limit, cursor=params.cursor
    )
    return render_built({"items": render_parts(rows), "nextCursor": next_cursor})


@router.get("/parts/{part_id}", response=responses({200: PartOut}, 404), tags=["parts"])
def get_part(request, part_id: UUID):
    """Read a part with its files."""
    part = services.get_part(actor=request.auth, part_id=part_id)
    return render(PartOut, render_parts([part])[0])


# -- files ---------------------------------------------------------------------------------------

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "kind"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "kind": {"type": "string", "enum": ["production", "preview", "other"]},
                    },
                }
            }
        },
    }
}


def upload(request, *, owner_type: str, owner_id):
    """Read the multipart body with a size limit, then hand the file to the asset service."""
    limit_upload(request)
    upload_file = request.FILES.get("file")
    if upload_file is None:
        raise InvalidInput("Send the file as the multipart field 'file'", loc=("body", "file"))
    kind = request.POST.get("kind", "")
    asset = file_services.add_asset(
        actor=request.auth, owner_type=owner_type, owner_id=owner_id, upload=upload_file, kind=kind
    )
    return render(AssetOut, render_asset(asset), status=201)


@router.post(
    "/orders/{order_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 413),
    openapi_extra=UPLOAD_BODY,
    tags=["assets"],
    summary="Attach a file to an order",
)
def upload_order_asset(request, order_id: UUID):
    return upload(request, owner_type="order", owner_id=order_id)


@router.post(
    "/products/{product_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 413),
    openapi_extra=UPLOAD_BODY,
    tags=["assets"],
    summary="Attach a file to a product",
)
def upload_product_asset(request, product_id: UUID):
    return upload(request, owner_type="product", owner_id=product_id)


@router.post(
    "/parts/{part_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 413),
    openapi_extra=UPLOAD_BODY,
    tags=["assets"],
    summary="Attach a file to a part",
)
def upload_part_asset(request, part_id: UUID):
    return upload(request, owner_type="part", owner_id=part_id)


@router.get(
    "/assets/{asset_id}/content",
    response=responses({200: None}, 404),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with its content type",
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
            302: {"description": "With presigned S3 downloads on: the file's signed address"},
        }
    },
    tags=["assets"],
    summary="Download a file",
)
def download_asset(request, asset_id: UUID):
    asset = file_services.get_asset(actor=request.auth, asset_id=asset_id)
    presigned_url = presigned_download_url(asset=asset)
    if presigned_url is not None:
        return HttpResponseRedirect(presigned_url)
    asset, content = file_services.open_asset(actor=request.auth, asset_id=asset_id)
    response = FileResponse(
        content, as_attachment=True, filename=asset.filename, content_type=asset.content_type
    )
    response["Content-Length"] = str(asset.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response
