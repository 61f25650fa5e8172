"""The API's requests and answers about orders, products, parts, their files, tasks and history.

The answers are built from their shapes, declared once in `fabflow.orders.shapes`; the names of
statuses and kinds are the model enums' values. The shared pieces (bounded types, `Input`,
`Output`, the error answer) are `fabflow.api.schemas`'.
"""

from datetime import datetime
from functools import cache
from typing import Any, Literal
from uuid import UUID

from pydantic import Field, create_model

from fabflow.api.schemas import (
    Document,
    DocumentList,
    Input,
    Key,
    Moment,
    Money,
    Name,
    Output,
    Tag,
    names_of,
)
from fabflow.flows.models import TaskStatus
from fabflow.limits import MAX_PARTS_PER_PRODUCT, MAX_PRODUCTS_PER_ORDER, MAX_TAGS, MAX_UNITS
from fabflow.orders import shapes
from fabflow.orders.models import AssetKind, OrderStatus
from fabflow.orders.shapes import Kind, Shape

OrderStatusName = names_of(OrderStatus)
TaskStatusName = names_of(TaskStatus)
AssetKindName = names_of(AssetKind)


class PartIn(Input):
    name: Name
    data: Document = Field(default_factory=dict)


class ProductIn(Input):
    name: Name
    units: int = Field(ge=1, le=MAX_UNITS)
    unitValue: Money
    deadline: Moment | None = None
    configuration: Document = Field(default_factory=dict)
    data: Document = Field(default_factory=dict)
    parts: list[PartIn] = Field(default_factory=list, max_length=MAX_PARTS_PER_PRODUCT)


class OrderIn(Input):
    name: Name
    spaceKey: Key | None = None
    value: Money | None = None
    deadline: Moment | None = None
    flowKey: Key | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    data: Document = Field(default_factory=dict)
    addresses: DocumentList = Field(default_factory=list)
    products: list[ProductIn] = Field(min_length=1, max_length=MAX_PRODUCTS_PER_ORDER)


class OrderPatch(Input):
    """Only the fields sent change; `deadline: null` clears the deadline."""

    deadline: Moment | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    data: Document | None = None


class StartFlowIn(Input):
    flowKey: Key


# The Python type of each kind of a shape's field (`Kind.CHOICE` and `Kind.MANY` are typed from
# the field's enum and shape).
KIND_TYPES = {
    Kind.ID: UUID,
    Kind.TEXT: str,
    Kind.INTEGER: int,
    Kind.BOOLEAN: bool,
    Kind.MONEY: str,
    Kind.TIME: datetime,
    Kind.OBJECT: dict[str, Any],
    Kind.ARRAY: list[Any],
    Kind.WORDS: list[str],
    Kind.URL: str,
}


def _answer_type(field: shapes.Field):
    if field.kind == Kind.CHOICE:
        answered = names_of(field.choices)
    elif field.kind == Kind.MANY:
        answered = list[output_of(field.of)]
    else:
        answered = KIND_TYPES[field.kind]
    return answered | None if field.is_nullable else answered


@cache
def output_of(shape: Shape) -> type[Output]:
    """The answer schema `<name>Out` of `shape`: its fields, in its order, all required."""
    return create_model(
        f"{shape.name}Out",
        __base__=Output,
        __module__=__name__,
        **{field.name: (_answer_type(field), ...) for field in shape.fields},
    )


AssetOut = output_of(shapes.ASSET)
TaskOut = output_of(shapes.TASK)
PartOut = output_of(shapes.PART)
ProductOut = output_of(shapes.PRODUCT)
OrderOut = output_of(shapes.ORDER)


class OrderPage(Output):
    items: list[OrderOut]
    nextCursor: str | None


class ProductPage(Output):
    items: list[ProductOut]
    nextCursor: str | None


class PartPage(Output):
    items: list[PartOut]
    nextCursor: str | None


class TaskList(Output):
    items: list[TaskOut]


class EventActorOut(Output):
    kind: Literal["user", "key", "system"]
    label: str


class EventOut(Output):
    """One line of an order's history, as its page shows it."""

    id: UUID
    type: str
    createdAt: datetime | None
    actor: EventActorOut
    text: str
    details: dict[str, Any]


class EventPage(Output):
    items: list[EventOut]
    nextCursor: str | None
