"""What every API request and answer builds on, in CONTRACT.md's camelCase: bounded types,
`Input` (refuses unknown fields, so a misspelt field is a 422 instead of being ignored),
`Output`, the error answer and the renderers. Each app declares its own requests and answers
beside its API (`fabflow.orders.schemas`, `fabflow.flows.schemas`, ...).
"""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.db.models import TextChoices
from django.http import HttpResponse
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError, to_json

from fabflow.bounds import check_document
from fabflow.errors import InvalidInput
from fabflow.limits import (
    MAX_ADDRESSES,
    MAX_AMOUNT,
    MAX_JSON_DEPTH,
    MAX_JSON_DOCUMENT_BYTES,
    MAX_NAME_LENGTH,
    MAX_TAG_LENGTH,
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


def names_of(choices: type[TextChoices]):
    """The Literal of a model enum's values: a new status or kind is declared once, in its enum."""
    return Literal[tuple(choices.values)]


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
