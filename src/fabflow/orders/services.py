"""Creating and changing orders with their products and parts; every change writes an event."""

import hashlib
import json
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import ProductSpace
from fabflow.accounts.services import normalize_tags
from fabflow.audit import trail as audit
from fabflow.audit.models import Action
from fabflow.bounds import check_document, check_text
from fabflow.errors import Conflict, InvalidInput, NotFound
from fabflow.ids import uuid7
from fabflow.limits import (
    MAX_ADDRESSES,
    MAX_AMOUNT,
    MAX_NAME_LENGTH,
    MAX_ORDER_DOCUMENTS_BYTES,
    MAX_PARTS_PER_ORDER,
    MAX_PARTS_PER_PRODUCT,
    MAX_PRODUCTS_PER_ORDER,
    MAX_TAGS,
    MAX_UNITS,
)
from fabflow.orders import search
from fabflow.orders.error_codes import OrderErrorCode
from fabflow.orders.models import Order, OrderEvent, OrderEventType, Part, Product
from fabflow.orders.status_counts import count_new_order
from fabflow.records import (
    PreparedRows,
    execute_rows,
    insert_rows,
    prepare_rows,
)
from fabflow.webhooks.events import enqueue_deliveries

UNSET = object()


@dataclass(frozen=True)
class PartInput:
    """A part as a client describes it when creating an order."""

    name: str
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ProductInput:
    """A product as a client describes it when creating an order."""

    name: str
    units: int
    unit_value: Decimal
    deadline: datetime | None = None
    configuration: dict = field(default_factory=dict)
    data: dict = field(default_factory=dict)
    parts: list[PartInput] = field(default_factory=list)


@dataclass(frozen=True)
class CreatedOrder:
    """The outcome of `create_order`: the order, and whether this call created it.

    A new order also carries the product and part rows just written (dicts of attribute name →
    value, in position order), so the caller can show them without reading them back.
    """

    order: Order
    is_new: bool
    products: list[dict] = field(default_factory=list)
    parts: list[dict] = field(default_factory=list)


def resolve_space(*, actor: Actor, space_key: str | None) -> ProductSpace:
    """The space an actor creates in: a key's own space, or the named (or only) space of a user."""
    if actor.key is not None:
        if space_key and space_key != actor.key.space.key:
            raise NotFound(
                f"No product space {space_key!r}",
                code=OrderErrorCode.SPACE_NOT_FOUND,
                field=("space_key",),
            )
        return actor.key.space
    if space_key:
        space = actor.spaces().filter(key=space_key).first()
        if space is None:
            raise NotFound(
                f"No product space {space_key!r}",
                code=OrderErrorCode.SPACE_NOT_FOUND,
                field=("space_key",),
            )
        return space
    spaces = list(actor.spaces()[:2])
    if len(spaces) == 1:
        return spaces[0]
    raise InvalidInput(
        "Name the product space (spaceKey): your organization has several",
        code=OrderErrorCode.SPACE_REQUIRED,
        field=("space_key",),
    )


def create_order(
    *,
    actor: Actor,
    space: ProductSpace,
    name: str,
    products: list[ProductInput],
    value: Decimal | None = None,
    deadline: datetime | None = None,
    flow_key: str = "",
    tags: list[str] | None = None,
    data: dict | None = None,
    addresses: list | None = None,
    in_transaction: Callable[[Order], object] | None = None,
) -> CreatedOrder:
    """Create an order with its products and parts in one transaction.

    The value defaults to the sum of units × unit value. Creating the same name again in the
    same space returns the existing order when the request is identical, and is a conflict
    when it differs, so a webshop may safely retry a create. `in_transaction` is called with a
    new order inside the transaction that writes it (to start its flow).
    """
    name = (name or "").strip()
    tags = validate_new_order(
        name=name, products=products, value=value, tags=tags, data=data, addresses=addresses
    )
    request = {
        "name": name,
        "products": products,
        "value": value,
        "deadline": deadline,
        "flow_key": flow_key,
        "tags": tags,
        "data": data or {},
        "addresses": addresses or [],
    }
    digest = _request_digest(**request)
    if value is None:
        request["value"] = sum((p.unit_value * p.units for p in products), Decimal("0"))
    # Every row is built before the transaction starts: the write lock it takes is then held
    # for the inserts and the commit alone.
    prepared = _prepare_order(actor=actor, space=space, digest=digest, **request)
    order = prepared.order
    order._state.adding = False
    order._state.db = prepared.statements[0].alias
    try:
        # Insert first and let the unique (space, name) constraint catch a re-create: the common
        # case, a new order, then costs no extra query.
        with transaction.atomic():
            _write_order(prepared)
            enqueue_deliveries([prepared.event])
            audit.record(
                actor=actor, action=Action.ORDER_CREATED, obj=order, after=_audited_order(order)
            )
            if in_transaction is not None:
                in_transaction(order)
    except IntegrityError:
        # The name exists (created earlier, or by a concurrent request that won the race).
        existing = Order.objects.filter(space=space, name=name).first()
        if existing is None:
            raise
        return _existing_order(existing, digest)
    return CreatedOrder(order=order, is_new=True, products=prepared.products, parts=prepared.parts)


def update_order(
    *,
    actor: Actor,
    order_id,
    deadline=UNSET,
    tags=UNSET,
    data=UNSET,
) -> Order:
    """Change an order's deadline, tags or data; fields left UNSET stay as they are."""
    with transaction.atomic():
        order = actor.restrict(Order.objects.select_for_update()).filter(pk=order_id).first()
        if order is None:
            raise NotFound("No such order")
        changes = {}
        if deadline is not UNSET and deadline != order.deadline:
            changes["deadline"] = [_json_value(order.deadline), _json_value(deadline)]
            order.deadline = deadline
        if tags is not UNSET:
            tags = _normalize_tags(tags)
            if tags != order.tags:
                changes["tags"] = [order.tags, tags]
                order.tags = tags
        if data is not UNSET:
            if not isinstance(data, dict):
                raise InvalidInput("data must be an object", field=("data",))
            check_document(data, field=("data",))
            if data != order.data:
                changes["data"] = [order.data, data]
                order.data = data
        if changes:
            order.updated_at = timezone.now()
            order.save(update_fields=[*changes, "updated_at"])
            record_event(
                actor=actor, order=order, type=OrderEventType.UPDATED, details={"changes": changes}
            )
            audit.record(
                actor=actor,
                action=Action.ORDER_CHANGED,
                obj=order,
                before={field: values[0] for field, values in changes.items()},
                after={field: values[1] for field, values in changes.items()},
            )
    return order


def _audited_order(order: Order) -> dict:
    """What the audit trail keeps of a new order (its documents are in its own history)."""
    return audit.snapshot(order, ["name", "value", "deadline", "flow_key", "tags"])


def get_order(*, actor: Actor, order_id) -> Order:
    """An order the actor may see."""
    order = actor.restrict(Order.objects.all()).filter(pk=order_id).first()
    if order is None:
        raise NotFound("No such order")
    return order


def record_event(*, actor: Actor, order: Order, type: OrderEventType, details: dict) -> OrderEvent:
    """Write one line of the order's history (at the end of `events_written_together`)."""
    event = OrderEvent(order=order, type=type, details=details, **actor.event_fields())
    # The status at this moment, for the webhooks' snapshot: a gathered event is written later.
    event.order_status = order.status
    gathered = getattr(_gathering, "events", None)
    if gathered is not None:
        gathered.append(event)
        return event
    write_history([event])
    return event


def write_history(events: list[OrderEvent]) -> None:
    """Insert history lines (each with its `order` loaded) and, in the same transaction, the
    webhook deliveries they announce: a delivery exists exactly when its change committed."""
    if not events:
        return
    with transaction.atomic(savepoint=False):
        insert_rows(
            OrderEvent,
            [
                {f.attname: getattr(e, f.attname) for f in OrderEvent._meta.concrete_fields}
                for e in events
            ],
        )
        enqueue_deliveries(events)


_gathering = threading.local()


@contextmanager
def events_written_together():
    """The events recorded in this block are written by one insert as it ends, inside the
    caller's transaction: a flow transition records up to five. Nothing is written if the block
    fails. An event's id and time are given when it is recorded, so their order is kept."""
    if getattr(_gathering, "events", None) is not None:
        yield  # an enclosing block writes them
        return
    _gathering.events = events = []
    try:
        yield
    finally:
        _gathering.events = None
    write_history(events)


@dataclass(frozen=True)
class _PreparedOrder:
    """An order's rows, converted for the database, waiting for their transaction."""

    order: Order
    products: list[dict]
    parts: list[dict]
    statements: list[PreparedRows]
    search_index: tuple[str, list]
    event: OrderEvent


def _prepare_order(
    *, actor, space, name, products, value, deadline, flow_key, tags, data, addresses, digest
) -> _PreparedOrder:
    now = timezone.now()
    tenant = {"organization_id": space.organization_id, "space_id": space.pk}
    order = Order(
        **tenant,
        name=name,
        value=value,
        deadline=deadline,
        flow_key=flow_key,
        tags=tags,
        data=data,
        addresses=addresses,
        request_digest=digest,
        created_at=now,
        updated_at=now,
    )
    order_row = {f.attname: getattr(order, f.attname) for f in Order._meta.concrete_fields}
    product_rows, part_rows = [], []
    for position, item in enumerate(products):
        product_id = uuid7()
        product_rows.append(
            {
                **tenant,
                "id": product_id,
                "order_id": order.pk,
                "position": position,
                "name": item.name.strip(),
                "units": item.units,
                "unit_value": item.unit_value,
                "deadline": item.deadline,
                "configuration": item.configuration,
                "data": item.data,
                "created_at": now,
            }
        )
        part_rows.extend(
            {
                **tenant,
                "id": uuid7(),
                "product_id": product_id,
                "order_id": order.pk,
                "position": part_position,
                "name": part.name.strip(),
                "data": part.data,
                "created_at": now,
            }
            for part_position, part in enumerate(item.parts)
        )
    event_row = {
        "id": uuid7(),
        "order_id": order.pk,
        "type": OrderEventType.CREATED,
        "details": {"products": len(product_rows), "parts": len(part_rows), "value": str(value)},
        "created_at": now,
        "actor_user_id": actor.user.pk if actor.user else None,
        "actor_key_id": actor.key.pk if actor.key else None,
        "actor_label": actor.label,
    }
    return _PreparedOrder(
        order=order,
        products=product_rows,
        parts=part_rows,
        statements=[
            prepare_rows(Order, [order_row]),
            prepare_rows(Product, product_rows),
            prepare_rows(Part, part_rows),
            prepare_rows(OrderEvent, [event_row]),
        ],
        search_index=search.index_statement(
            order_id=order.pk,
            name=name,
            product_names=[row["name"] for row in product_rows],
            part_names=[row["name"] for row in part_rows],
        ),
        event=OrderEvent(order=order, **{k: v for k, v in event_row.items() if k != "order_id"}),
    )


def _write_order(prepared: _PreparedOrder) -> None:
    for statement in prepared.statements:
        execute_rows(statement)
    with connections[prepared.statements[0].alias].cursor() as cursor:
        cursor.execute(*prepared.search_index)
    count_new_order(prepared.order)


def _existing_order(order: Order, digest: str) -> CreatedOrder:
    if order.request_digest != digest:
        raise Conflict(
            f"An order named {order.name!r} already exists in this space with different content",
            code=OrderErrorCode.DUPLICATE_NAME,
            field=("name",),
        )
    return CreatedOrder(order=order, is_new=False)


def validate_new_order(
    *,
    name: str,
    products: list[ProductInput],
    value: Decimal | None = None,
    tags: list[str] | None = None,
    data: dict | None = None,
    addresses: list | None = None,
) -> list[str]:
    """Every check `create_order` makes of an order before writing it, writing nothing (a flow's
    dry run takes a sample order through them); the normalised tags, or InvalidInput."""
    _validate_order_input(name=(name or "").strip(), products=products, value=value)
    _validate_order_documents(data=data or {}, addresses=addresses or [])
    return _normalize_tags(tags)


def _validate_order_input(*, name: str, products: list[ProductInput], value) -> None:
    """Every bound of limits.py an order's fields and products must keep, checked before any
    write: the order's rows, its answer and its value in the column all stay bounded."""
    _validate_name(name, field=("name",), what="An order")
    if value is not None:
        _validate_amount(value, field=("value",))
    if not products:
        raise InvalidInput(
            "An order needs at least one product",
            code=OrderErrorCode.NO_PRODUCTS,
            field=("products",),
        )
    if len(products) > MAX_PRODUCTS_PER_ORDER:
        raise InvalidInput(
            f"An order holds at most {MAX_PRODUCTS_PER_ORDER} products",
            code=OrderErrorCode.TOO_MANY,
            field=("products",),
        )
    total = Decimal("0")
    part_count = documents_bytes = 0
    for index, product in enumerate(products):
        path = ("products", index)
        _validate_name(product.name.strip(), field=(*path, "name"), what="A product")
        if not 1 <= product.units <= MAX_UNITS:
            raise InvalidInput(f"units must be from 1 to {MAX_UNITS}", field=(*path, "units"))
        _validate_amount(product.unit_value, field=(*path, "unit_value"))
        total += product.units * product.unit_value
        if len(product.parts) > MAX_PARTS_PER_PRODUCT:
            raise InvalidInput(
                f"A product holds at most {MAX_PARTS_PER_PRODUCT} parts",
                code=OrderErrorCode.TOO_MANY,
                field=(*path, "parts"),
            )
        part_count += len(product.parts)
        if part_count > MAX_PARTS_PER_ORDER:
            raise InvalidInput(
                f"An order holds at most {MAX_PARTS_PER_ORDER} parts in all its products",
                field=(*path, "parts"),
            )
        documents_bytes += check_document(product.configuration, field=(*path, "configuration"))
        documents_bytes += check_document(product.data, field=(*path, "data"))
        for part_index, part in enumerate(product.parts):
            part_path = (*path, "parts", part_index)
            _validate_name(part.name.strip(), field=(*part_path, "name"), what="A part")
            documents_bytes += check_document(part.data, field=(*part_path, "data"))
    if documents_bytes > MAX_ORDER_DOCUMENTS_BYTES:
        raise InvalidInput(
            f"The configuration and data of the order's products and parts take "
            f"{documents_bytes} bytes together, more than the limit of {MAX_ORDER_DOCUMENTS_BYTES}",
            field=("products",),
        )
    if total > MAX_AMOUNT:
        raise InvalidInput(
            f"The order's value, the sum of units × unitValue ({total}), is more than {MAX_AMOUNT}",
            code=OrderErrorCode.VALUE_MISMATCH,
            field=("value",),
        )


def _validate_order_documents(*, data, addresses) -> None:
    check_document(data, field=("data",))
    if len(addresses) > MAX_ADDRESSES:
        raise InvalidInput(
            f"An order holds at most {MAX_ADDRESSES} addresses",
            code=OrderErrorCode.TOO_MANY,
            field=("addresses",),
        )
    check_document(addresses, field=("addresses",))


def _validate_name(name: str, *, field: tuple, what: str) -> None:
    if not name:
        raise InvalidInput(f"{what} needs a name", field=field)
    if len(name) > MAX_NAME_LENGTH:
        raise InvalidInput(f"The name is longer than {MAX_NAME_LENGTH} characters", field=field)
    check_text(name, field=field)


def _validate_amount(amount: Decimal, *, field: tuple) -> None:
    if not Decimal("0") <= amount <= MAX_AMOUNT:
        raise InvalidInput(
            f"An amount must be from 0 to {MAX_AMOUNT}",
            code=OrderErrorCode.INVALID_AMOUNT,
            field=field,
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInput(
            "An amount has at most two decimals", code=OrderErrorCode.INVALID_AMOUNT, field=field
        )


def _normalize_tags(tags) -> list[str]:
    try:
        tags = normalize_tags(tags)
    except InvalidInput as error:
        raise InvalidInput(error.message, field=("tags",)) from None
    if len(tags) > MAX_TAGS:
        raise InvalidInput(
            f"An order carries at most {MAX_TAGS} tags",
            code=OrderErrorCode.TOO_MANY,
            field=("tags",),
        )
    for index, tag in enumerate(tags):
        check_text(tag, field=("tags", index))
    return tags


def _request_digest(*, products: list[ProductInput], **request) -> str:
    """sha256 of the canonical creation request, to tell an identical re-create from a new one."""
    request["products"] = [
        {
            "name": product.name,
            "units": product.units,
            "unitValue": product.unit_value,
            "deadline": product.deadline,
            "configuration": product.configuration,
            "data": product.data,
            "parts": [{"name": part.name, "data": part.data} for part in product.parts],
        }
        for product in products
    ]
    canonical = json.dumps(request, sort_keys=True, default=_json_value, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _json_value(value):
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def filter_orders(*, actor: Actor, params):
    """The validated `OrderFilterSet` over the orders the actor may see (see orders/filters.py)."""
    from fabflow.orders.filters import OrderFilterSet

    return _validated(OrderFilterSet(params, queryset=actor.restrict(Order.objects.all())))


def filter_products(*, actor: Actor, params):
    """The validated `ProductFilterSet` over the products the actor may see."""
    from fabflow.orders.filters import ProductFilterSet

    return _validated(ProductFilterSet(params, queryset=actor.restrict(Product.objects.all())))


def filter_parts(*, actor: Actor, params):
    """The validated `PartFilterSet` over the parts the actor may see."""
    from fabflow.orders.filters import PartFilterSet

    return _validated(PartFilterSet(params, queryset=actor.restrict(Part.objects.all())))


def get_product(*, actor: Actor, product_id) -> Product:
    """A product the actor may see."""
    product = actor.restrict(Product.objects.select_related("order")).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such product")
    return product


def get_part(*, actor: Actor, part_id) -> Part:
    """A part the actor may see."""
    part = actor.restrict(Part.objects.select_related("order")).filter(pk=part_id).first()
    if part is None:
        raise NotFound("No such part")
    return part


def _validated(filterset):
    if not filterset.is_valid():
        name, messages = next(iter(filterset.errors.items()))
        raise InvalidInput(" ".join(messages), code=OrderErrorCode.INVALID_FILTER, field=(name,))
    return filterset
