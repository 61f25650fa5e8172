"""REST API v1: orders, products, parts and their files (see CONTRACT.md).

Handlers parse, call one service and render; `fabflow.api.errors` turns service errors into
answers. Lists are cursor-paginated over the FilterSets of orders/filters.py.
"""

import json
from collections import defaultdict
from datetime import UTC
from uuid import UUID

from django.db import transaction
from django.db.models import F
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from ninja import Query, Router, Schema
from pydantic import Field

from fabflow.api.pagination import DEFAULT_LIMIT, MAX_LIMIT, paginate
from fabflow.api.schemas import (
    render,
    render_built,
    responses,
)
from fabflow.api.uploads import read_upload
from fabflow.fields import InvalidValue, printable
from fabflow.files import services as file_services
from fabflow.files.downloads import presigned_download_url
from fabflow.flows import services as flow_services
from fabflow.flows.models import TaskRun
from fabflow.orders import history, services
from fabflow.orders.documents import (
    asset_url,
    json_array,
    order_documents,
    part_documents,
    product_documents,
    task_documents,
)
from fabflow.orders.models import Asset, AssetKind, Order, OrderEvent
from fabflow.orders.schemas import (
    AssetOut,
    EventOut,
    EventPage,
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
)
from fabflow.web import display

router = Router()


# -- rendering -----------------------------------------------------------------------------------
# Orders, products and parts are read as documents the database writes (orders/documents.py);
# only an order this request has just created, and single files and tasks, are rendered here.


def thumbnail_url(assets: list[Asset]) -> str | None:
    """The newest preview image among an owner's files is its thumbnail (the web pages' rule;
    the API's documents write the same in SQL, and a test holds both to it)."""
    previews = [
        asset
        for asset in assets
        if asset.kind == AssetKind.PREVIEW and asset.content_type.startswith("image/")
    ]
    if not previews:
        return None
    return asset_url(max(previews, key=lambda asset: (asset.created_at, asset.pk)).pk)


def render_asset(asset: Asset) -> dict:
    return {
        "id": asset.pk,
        "filename": asset.filename,
        "contentType": asset.content_type,
        "size": asset.size,
        "sha256": asset.sha256,
        "kind": asset.kind,
        "createdAt": asset.created_at,
        "downloadUrl": asset_url(asset.pk),
    }


def render_task(task: TaskRun) -> dict:
    return {
        "id": task.pk,
        "key": task.task_key,
        "stageKey": task.stage_key,
        "handlerKey": task.handler_key,
        "title": task.title,
        "status": task.status,
        "attempt": task.attempt,
        "startedAt": task.started_at,
        "deadlineAt": task.deadline_at,
        "finishedAt": task.finished_at,
        "overdue": task.is_overdue,
        "error": task.error,
    }


def render_new_order(order: Order, *, space_key: str, products: list, parts: list) -> dict:
    """An order this request has just created without a flow, from the rows it wrote: nobody
    else has touched it yet, so it has no files or tasks and nothing need be read back."""
    deadline = order.deadline.astimezone(UTC) if order.deadline else None
    parts_by_product = defaultdict(list)
    for part in parts:
        parts_by_product[part["product_id"]].append(
            {
                "id": part["id"],
                "productId": part["product_id"],
                "orderId": part["order_id"],
                "name": part["name"],
                "data": part["data"],
                "createdAt": part["created_at"],
                "thumbnailUrl": None,
                "assets": [],
            }
        )
    return {
        "id": order.pk,
        "name": order.name,
        "status": order.status,
        "value": f"{order.value:.2f}",
        "deadline": deadline,
        "createdAt": order.created_at,
        "updatedAt": order.updated_at,
        "spaceKey": space_key,
        "flowKey": order.flow_key or None,
        "tags": order.tags,
        "data": order.data,
        "addresses": order.addresses,
        "thumbnailUrl": None,
        "products": [
            {
                "id": product["id"],
                "orderId": product["order_id"],
                "orderName": order.name,
                "name": product["name"],
                "units": product["units"],
                "unitValue": f"{product['unit_value']:.2f}",
                "deadline": product["deadline"] or deadline,
                "configuration": product["configuration"],
                "data": product["data"],
                "createdAt": product["created_at"],
                "thumbnailUrl": None,
                "parts": parts_by_product[product["id"]],
                "assets": [],
            }
            for product in products
        ],
        "assets": [],
        "tasks": [],
    }


def _document(text: str, *, status: int = 200) -> HttpResponse:
    return HttpResponse(text, status=status, content_type="application/json; charset=utf-8")


def _page(documents: list[str], next_cursor: str | None) -> HttpResponse:
    return _document(f'{{"items":{json_array(documents)},"nextCursor":{json.dumps(next_cursor)}}}')


def _order(order_id, *, status: int = 200) -> HttpResponse:
    return _document(order_documents([order_id])[0], status=status)


def _listed(filterset, params, documents) -> tuple[list[str], str | None]:
    return paginate(
        filterset.qs,
        keys=filterset.sort_keys,
        limit=params.limit,
        cursor=params.cursor,
        documents=documents,
    )


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
    anyTag: str | None = Field(None, description="comma-separated tags; orders with any of them")
    finishedAfter: str | None = Field(
        None, description="ISO 8601 time; orders that reached success from that instant"
    )
    finishedBefore: str | None = Field(
        None, description="ISO 8601 time; orders that reached success before that instant"
    )
    deadlineAfter: str | None = Field(None, description="ISO 8601 time; includes that instant")
    deadlineBefore: str | None = Field(None, description="ISO 8601 time; excludes that instant")
    flow: str | None = Field(None, max_length=100, description="the key of the order's flow")
    waitingFor: str | None = Field(
        None, description="comma-separated tags; orders with a manual task waiting for any of them"
    )
    ordering: str | None = Field(
        None, description="name, status, value, createdAt or deadline; prefix - for descending"
    )


class ProductListParams(ListParams):
    ordering: str | None = Field(
        None, description="name, units, unitValue or createdAt; prefix - for descending"
    )


class PartListParams(ListParams):
    ordering: str | None = Field(None, description="name or createdAt; prefix - for descending")


# -- links ---------------------------------------------------------------------------------------
# OpenAPI links from an answer to the calls its ids open, for clients and for the stateful
# schema tests that follow them (tests/api/test_live.py).


def _link(operation: str, parameter: str, pointer: str) -> dict:
    return {
        "operationId": f"fabflow_{operation}",
        "parameters": {parameter: f"$response.body#{pointer}"},
    }


def _links(status: int, **links: dict) -> dict:
    return {"responses": {status: {"links": links}}}


ORDER_LINKS = {
    "GetOrder": _link("orders_api_get_order", "order_id", "/id"),
    "UpdateOrder": _link("orders_api_update_order", "order_id", "/id"),
    "StartFlow": _link("orders_api_start_flow", "order_id", "/id"),
    "ListOrderTasks": _link("orders_api_list_order_tasks", "order_id", "/id"),
    "ListOrderEvents": _link("orders_api_list_order_events", "order_id", "/id"),
    "UploadOrderAsset": _link("orders_api_upload_order_asset", "order_id", "/id"),
    "GetProduct": _link("orders_api_get_product", "product_id", "/products/0/id"),
    "UploadProductAsset": _link("orders_api_upload_product_asset", "product_id", "/products/0/id"),
    "GetPart": _link("orders_api_get_part", "part_id", "/products/0/parts/0/id"),
    "UploadPartAsset": _link("orders_api_upload_part_asset", "part_id", "/products/0/parts/0/id"),
}
TASK_LINKS = {
    f"{action.title()}Task": _link(f"flows_api_{action}_task", "task_id", "/items/0/id")
    for action in ("confirm", "reject", "retry", "skip")
}
ASSET_LINKS = {"DownloadAsset": _link("orders_api_download_asset", "asset_id", "/id")}


def order_input(payload: OrderIn) -> dict:
    """The arguments of `services.create_order` for an order as the API takes it."""
    return {
        "name": payload.name,
        "products": [
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
        "value": payload.value,
        "deadline": payload.deadline,
        "tags": payload.tags,
        "data": payload.data,
        "addresses": payload.addresses,
    }


# -- orders --------------------------------------------------------------------------------------


@router.post(
    "/orders",
    response=responses({200: OrderOut, 201: OrderOut}, 403, 404, 409, 413),
    openapi_extra={"responses": {200: {"links": ORDER_LINKS}, 201: {"links": ORDER_LINKS}}},
    tags=["orders"],
    summary="Create an order (or get it back when the same request is sent again)",
)
def create_order(request, payload: OrderIn):
    created = flow_services.submit_order(
        actor=request.auth,
        space_key=payload.spaceKey,
        flow_key=payload.flowKey or "",
        **order_input(payload),
    )
    order = created.order
    status = 201 if created.is_new else 200
    if not created.is_new or payload.flowKey:
        return _order(order.pk, status=status)
    space = request.auth.key.space if request.auth.key is not None else order.space
    body = render_new_order(
        order, space_key=space.key, products=created.products, parts=created.parts
    )
    return render_built(body, status=status)


@router.get("/orders", response=responses({200: OrderPage}), tags=["orders"], summary="List orders")
def list_orders(request, params: Query[OrderListParams]):
    filterset = services.filter_orders(actor=request.auth, params=request.GET)
    return _page(*_listed(filterset, params, order_documents))


@router.get("/orders/{order_id}", response=responses({200: OrderOut}, 404), tags=["orders"])
def get_order(request, order_id: UUID):
    """Read an order with its products, parts, files and tasks."""
    order = services.get_order(actor=request.auth, order_id=order_id)
    return _order(order.pk)


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
    # The answer is written in the change's transaction: should it fail, nothing was changed.
    with transaction.atomic():
        order = services.update_order(actor=request.auth, order_id=order_id, **changes)
        return _order(order.pk)


@router.post(
    "/orders/{order_id}/flow",
    response=responses({200: OrderOut}, 403, 404, 409, 413),
    tags=["orders"],
    summary="Start a flow on an order (409 while one is active)",
)
def start_flow(request, order_id: UUID, payload: StartFlowIn):
    flow_services.start_flow(actor=request.auth, order_id=order_id, flow_key=payload.flowKey)
    return _order(order_id)


@router.get(
    "/orders/{order_id}/tasks",
    response=responses({200: TaskList}, 404),
    openapi_extra=_links(200, **TASK_LINKS),
    tags=["orders"],
    summary="The order's task runs",
)
def list_order_tasks(request, order_id: UUID):
    tasks = flow_services.list_tasks(actor=request.auth, order_id=order_id)
    return _document(f'{{"items":{json_array(task_documents([task.pk for task in tasks]))}}}')


@router.get(
    "/orders/{order_id}/events",
    response=responses({200: EventPage}, 404),
    tags=["orders"],
    summary="The order's history, newest first",
)
def list_order_events(request, order_id: UUID, params: Query[PageParams]):
    events = history.list_order_events(actor=request.auth, order_id=order_id)
    texts, next_cursor = paginate(
        events,
        keys=history.NEWEST_FIRST,
        limit=params.limit,
        cursor=params.cursor,
        documents=event_documents,
    )
    return _page(texts, next_cursor)


def event_documents(event_ids: list) -> list[str]:
    """The JSON texts of the history lines `event_ids`, in that order: the page's words and
    actor labels; a stored time or details that cannot be read are answered as null and {}."""
    events = (
        OrderEvent.objects.filter(pk__in=event_ids)
        .select_related("actor_user")
        .annotate(organization_id=F("order__organization_id"))
    )
    by_id = {event.pk: event for event in events}
    names = _event_names({event.order_id for event in by_id.values()})
    return [
        EventOut.model_validate(render_event(by_id[pk], names)).model_dump_json()
        for pk in event_ids
        if pk in by_id
    ]


def _event_names(order_ids: set) -> history.EventNames:
    """The task titles and file kinds the page's history names things by (a page of events
    comes from one order)."""
    if len(order_ids) != 1:
        return history.NO_NAMES
    (order_id,) = order_ids
    tasks = TaskRun.objects.filter(order_id=order_id).only("id", "title", "task_key")
    return history.event_names(order_id, task_titles=history.task_titles(tasks))


def render_event(event: OrderEvent, names: history.EventNames) -> dict:
    actor = history.event_actor(event, organization_id=event.organization_id)
    return {
        "id": event.pk,
        "type": printable(event.type),
        "createdAt": None if isinstance(event.created_at, InvalidValue) else event.created_at,
        "actor": {"kind": actor.kind, "label": actor.label},
        "text": history.describe_event(event, names),
        "details": display.mapping(event.details),
    }


# -- products and parts --------------------------------------------------------------------------


@router.get("/products", response=responses({200: ProductPage}), tags=["products"])
def list_products(request, params: Query[ProductListParams]):
    """List products."""
    filterset = services.filter_products(actor=request.auth, params=request.GET)
    return _page(*_listed(filterset, params, product_documents))


@router.get("/products/{product_id}", response=responses({200: ProductOut}, 404), tags=["products"])
def get_product(request, product_id: UUID):
    """Read a product with its parts and files."""
    product = services.get_product(actor=request.auth, product_id=product_id)
    return _document(product_documents([product.pk])[0])


@router.get("/parts", response=responses({200: PartPage}), tags=["parts"])
def list_parts(request, params: Query[PartListParams]):
    """List parts."""
    filterset = services.filter_parts(actor=request.auth, params=request.GET)
    return _page(*_listed(filterset, params, part_documents))


@router.get("/parts/{part_id}", response=responses({200: PartOut}, 404), tags=["parts"])
def get_part(request, part_id: UUID):
    """Read a part with its files."""
    part = services.get_part(actor=request.auth, part_id=part_id)
    return _document(part_documents([part.pk])[0])


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
    """Read the multipart body under the size limit, then hand the file to the asset service."""
    upload_file, kind = read_upload(request, limit=file_services.max_upload_bytes())
    asset = file_services.add_asset(
        actor=request.auth, owner_type=owner_type, owner_id=owner_id, upload=upload_file, kind=kind
    )
    return render(AssetOut, render_asset(asset), status=201)


@router.post(
    "/orders/{order_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 409, 413),
    openapi_extra={**UPLOAD_BODY, **_links(201, **ASSET_LINKS)},
    tags=["assets"],
    summary="Attach a file to an order",
)
def upload_order_asset(request, order_id: UUID):
    return upload(request, owner_type="order", owner_id=order_id)


@router.post(
    "/products/{product_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 409, 413),
    openapi_extra={**UPLOAD_BODY, **_links(201, **ASSET_LINKS)},
    tags=["assets"],
    summary="Attach a file to a product",
)
def upload_product_asset(request, product_id: UUID):
    return upload(request, owner_type="product", owner_id=product_id)


@router.post(
    "/parts/{part_id}/assets",
    response=responses({201: AssetOut}, 403, 404, 409, 413),
    openapi_extra={**UPLOAD_BODY, **_links(201, **ASSET_LINKS)},
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
