"""The shapes of the API's answers about orders, products, parts, their files and tasks: each
declared once, here.

A shape is its fields in answer order: the name an answer gives a field (CONTRACT.md's
camelCase), the column it is read from, its kind, whether it may be null, and whether a flow's
templates see it. From a shape follow the API's output schema (`fabflow.orders.schemas`) and the
SQL that writes its documents (`fabflow.orders.documents`); the answer of a newly created order
and the templates' variables are held to it by tests (tests/api/test_shapes.py).
"""

from dataclasses import dataclass
from enum import StrEnum

from django.db.models import TextChoices

from fabflow.flows.models import TaskStatus
from fabflow.orders.models import AssetKind, OrderStatus


class Kind(StrEnum):
    """What a field holds, which says how the SQL writes it and how its schema types it."""

    ID = "id"  # a UUID, answered in its dashed form
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    MONEY = "money"  # a decimal amount, answered as text with two decimals
    TIME = "time"  # a time, answered in UTC as ISO 8601 ending in "Z"
    OBJECT = "object"  # a JSON object
    ARRAY = "array"  # a JSON array
    WORDS = "words"  # a JSON array of texts (tags)
    CHOICE = "choice"  # one of the values of `Field.choices`
    URL = "url"  # a link the answer writes
    MANY = "many"  # the documents of another shape (`Field.of`)


@dataclass(frozen=True)
class Field:
    """One field of a shape. `column` is None for a field written from other rows (another
    table, or the API's links): the SQL of `fabflow.orders.documents` names how."""

    name: str
    kind: Kind
    column: str | None = None
    is_nullable: bool = False
    choices: type[TextChoices] | None = None
    of: "Shape | None" = None
    in_templates: bool = True


@dataclass(frozen=True)
class Shape:
    """An answer's shape: its name (the schema is called `<name>Out`) and its fields."""

    name: str
    fields: tuple[Field, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(field.name for field in self.fields)

    @property
    def template_fields(self) -> tuple[Field, ...]:
        """The fields a flow's templates see (docs/flows.md, "Variables")."""
        return tuple(field for field in self.fields if field.in_templates)


ASSET = Shape(
    "Asset",
    (
        Field("id", Kind.ID, "id"),
        Field("filename", Kind.TEXT, "filename"),
        Field("contentType", Kind.TEXT, "content_type"),
        Field("size", Kind.INTEGER, "size"),
        Field("sha256", Kind.TEXT, "sha256"),
        Field("kind", Kind.CHOICE, "kind", choices=AssetKind),
        Field("createdAt", Kind.TIME, "created_at"),
        Field("downloadUrl", Kind.URL),
    ),
)

# Every order, product and part answers its thumbnail (its newest preview image) and its files,
# oldest first; templates see neither.
THUMBNAIL_URL = Field("thumbnailUrl", Kind.URL, is_nullable=True, in_templates=False)
ASSETS = Field("assets", Kind.MANY, of=ASSET, in_templates=False)

# A task of an order's latest run; its templates see the task they render for.
TASK = Shape(
    "Task",
    (
        Field("id", Kind.ID, "id"),
        Field("key", Kind.TEXT, "task_key"),
        Field("stageKey", Kind.TEXT, "stage_key"),
        Field("handlerKey", Kind.TEXT, "handler_key"),
        Field("title", Kind.TEXT, "title", in_templates=False),
        Field("status", Kind.CHOICE, "status", choices=TaskStatus, in_templates=False),
        Field("attempt", Kind.INTEGER, "attempt"),
        Field("startedAt", Kind.TIME, "started_at", is_nullable=True, in_templates=False),
        Field("deadlineAt", Kind.TIME, "deadline_at", is_nullable=True, in_templates=False),
        Field("finishedAt", Kind.TIME, "finished_at", is_nullable=True, in_templates=False),
        Field("overdue", Kind.BOOLEAN, "is_overdue", in_templates=False),
        Field("error", Kind.TEXT, "error", in_templates=False),
    ),
)

PART = Shape(
    "Part",
    (
        Field("id", Kind.ID, "id"),
        Field("productId", Kind.ID, "product_id"),
        Field("orderId", Kind.ID, "order_id"),
        Field("name", Kind.TEXT, "name"),
        Field("data", Kind.OBJECT, "data"),
        Field("createdAt", Kind.TIME, "created_at"),
        THUMBNAIL_URL,
        ASSETS,
    ),
)

PRODUCT = Shape(
    "Product",
    (
        Field("id", Kind.ID, "id"),
        Field("orderId", Kind.ID, "order_id"),
        Field("orderName", Kind.TEXT, in_templates=False),  # the order's name
        Field("name", Kind.TEXT, "name"),
        Field("units", Kind.INTEGER, "units"),
        Field("unitValue", Kind.MONEY, "unit_value"),
        # The product's own deadline, else its order's.
        Field("deadline", Kind.TIME, "deadline", is_nullable=True),
        Field("configuration", Kind.OBJECT, "configuration"),
        Field("data", Kind.OBJECT, "data"),
        Field("createdAt", Kind.TIME, "created_at"),
        THUMBNAIL_URL,
        Field("parts", Kind.MANY, of=PART),
        ASSETS,
    ),
)

ORDER = Shape(
    "Order",
    (
        Field("id", Kind.ID, "id"),
        Field("name", Kind.TEXT, "name"),
        Field("status", Kind.CHOICE, "status", choices=OrderStatus),
        Field("value", Kind.MONEY, "value"),
        Field("deadline", Kind.TIME, "deadline", is_nullable=True),
        Field("createdAt", Kind.TIME, "created_at"),
        Field("updatedAt", Kind.TIME, "updated_at"),
        Field("spaceKey", Kind.TEXT),  # its product space's key
        # Stored as "" for no flow.
        Field("flowKey", Kind.TEXT, "flow_key", is_nullable=True),
        Field("tags", Kind.WORDS, "tags"),
        Field("data", Kind.OBJECT, "data"),
        Field("addresses", Kind.ARRAY, "addresses"),
        THUMBNAIL_URL,
        Field("products", Kind.MANY, of=PRODUCT),
        ASSETS,
        Field("tasks", Kind.MANY, of=TASK, in_templates=False),  # those of its latest run
    ),
)
