"""The API's request and response shapes, in CONTRACT.md's camelCase.

Request shapes refuse unknown fields, so a misspelt field is a 422 instead of being ignored.
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from django.http import HttpResponse
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError, to_json

from fabflow.bounds import check_document
from fabflow.errors import InvalidInput
from fabflow.limits import (
    MAX_ADDRESSES,
    MAX_AMOUNT,
    MAX_JSON_DEPTH,
    MAX_JSON_DOCUMENT_BYTES,
    MAX_NAME_LENGTH,
    MAX_PARTS_PER_PRODUCT,
    MAX_PRODUCTS_PER_ORDER,
    MAX_TAG_LENGTH,
    MAX_TAGS,
    MAX_UNITS,
)


def _to_utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValueError("The time is out of range") from None


def _bounded_document(value):
    try:
        check_document(value, loc=())
    except InvalidInput as error:
        raise PydanticCustomError("invalid_input", error.message) from None
    return value


# A time with its zone, stored as UTC (databases refuse offsets beyond ±15:59).
Moment = Annotated[AwareDatetime, AfterValidator(_to_utc)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME_LENGTH)]
# Described as CONTRACT.md's decimal string, which pins its digits; a JSON number is accepted too.
Money = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT, decimal_places=2),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
            "description": f"A decimal amount in euro, from 0 to {MAX_AMOUNT}",
            "examples": ["129.90"],
        }
    ),
]
Tag = Annotated[str, Field(max_length=MAX_TAG_LENGTH)]
# A JSON object (or list) a client stores with an order, a product, a part or a task.
DOCUMENT_BOUNDS = (
    f"At most {MAX_JSON_DOCUMENT_BYTES} bytes as compact UTF-8 JSON, nested at most "
    f"{MAX_JSON_DEPTH} levels."
)
Document = Annotated[
    dict[str, Any], AfterValidator(_bounded_document), Field(description=DOCUMENT_BOUNDS)
]
DocumentList = Annotated[
    list[dict[str, Any]],
    AfterValidator(_bounded_document),
    Field(max_length=MAX_ADDRESSES, description=DOCUMENT_BOUNDS),
]
Key = Annotated[str, Field(min_length=1, max_length=100)]
OrderStatusName = Literal["created", "in_progress", "success", "unhealthy", "failure"]
TaskStatusName = Literal["pending", "running", "waiting", "succeeded", "failed", "skipped"]
AssetKindName = Literal["production", "preview", "other"]


class Input(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """An answer. Requests and answers are plain pydantic models: validating dicts with them is
    several times faster than with ninja's Schema, which reads through a Django-aware wrapper."""


class ErrorItem(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class Error(BaseModel):
    """Every refusal: what is wrong (`msg`) and where (`loc`)."""

    detail: list[ErrorItem]


# -- input ---------------------------------------------------------------------------------------


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


class ConfirmIn(Input):
    comment: Annotated[str, Field(max_length=2000)] = ""


class RejectIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=2000)]


class FlowIn(Input):
    name: Annotated[str, Field(min_length=5, max_length=200)]
    spaceKey: Key | None = None
    definition: list[Any]


class FlowDefinitionIn(Input):
    definition: list[Any]


class FeedbackIn(Input):
    status: Literal["success", "failure"]
    message: Annotated[str, Field(max_length=5000)] = ""
    data: Document = Field(default_factory=dict)


# -- output --------------------------------------------------------------------------------------


class AssetOut(Output):
    id: UUID
    filename: str
    contentType: str
    size: int
    sha256: str
    kind: AssetKindName
    createdAt: datetime
    downloadUrl: str


class TaskOut(Output):
    id: UUID
    key: str
    stageKey: str
    handlerKey: str
    title: str
    status: TaskStatusName
    attempt: int
    startedAt: datetime | None
    deadlineAt: datetime | None
    finishedAt: datetime | None
    overdue: bool
    error: str


class PartOut(Output):
    id: UUID
    productId: UUID
    orderId: UUID
    name: str
    data: dict[str, Any]
    createdAt: datetime
    thumbnailUrl: str | None
    assets: list[AssetOut]


class ProductOut(Output):
    id: UUID
    orderId: UUID
    orderName: str
    name: str
    units: int
    unitValue: str
    deadline: datetime | None
    configuration: dict[str, Any]
    data: dict[str, Any]
    createdAt: datetime
    thumbnailUrl: str | None
    parts: list[PartOut]
    assets: list[AssetOut]


class OrderOut(Output):
    id: UUID
    name: str
    status: OrderStatusName
    value: str
    deadline: datetime | None
    createdAt: datetime
    updatedAt: datetime
    spaceKey: str
    flowKey: str | None
    tags: list[str]
    data: dict[str, Any]
    addresses: list[Any]
    thumbnailUrl: str | None
    products: list[ProductOut]
    assets: list[AssetOut]
    tasks: list[TaskOut]


class FlowOut(Output):
    key: str
    name: str
    spaceKey: str
    version: int
    definition: list[Any]
    createdAt: datetime
    updatedAt: datetime


class OrderPage(Output):
    items: list[OrderOut]
    nextCursor: str | None


class ProductPage(Output):
    items: list[ProductOut]
    nextCursor: str | None


class PartPage(Output):
    items: list[PartOut]
    nextCursor: str | None


class FlowPage(Output):
    items: list[FlowOut]
    nextCursor: str | None


class TaskList(Output):
    items: list[TaskOut]


class Accepted(Output):
    status: Literal["accepted"]


def responses(success: dict, *codes: int, public: bool = False) -> dict:
    """`success` plus the error answers of `codes`, and those every call can give.

    414 comes from the web server itself, for a request line longer than it accepts; 401 from
    every call that needs a key or a session (`public=False`).
    """
    result = dict(success)
    for code in sorted({400, 414, 422, *codes} | (set() if public else {401})):
        result[code] = Error
    return result


def render_built(data, *, status: int = 200) -> HttpResponse:
    """Answer `data` as JSON without validating it again: for answers built field by field in
    a schema's order from stored rows (orders/api.py). pydantic's encoder writes it exactly as
    `render` would; the API tests compare both."""
    return HttpResponse(
        to_json(data), status=status, content_type="application/json; charset=utf-8"
    )


def render(model: type[BaseModel], data, *, status: int = 200) -> HttpResponse:
    """Validate `data` as `model` and answer it as JSON, serialised by pydantic's fast encoder."""
    return HttpResponse(
        model.model_validate(data).model_dump_json(),
        status=status,
        content_type="application/json; charset=utf-8",
    )
