"""Filters for orders, products and parts, shared by the API lists and the web UI tables.

Use them with a plain `request.GET` (or any QueryDict) and a queryset the actor may see:

    filterset = OrderFilterSet(request.GET, queryset=actor.restrict(Order.objects.all()))
    if not filterset.is_valid():
        ...  # filterset.errors maps each parameter name to its messages
    orders = filterset.qs

Parameter names are stable and the same in the UI and the API (camelCase, as in CONTRACT.md):

- `status`: one or more order statuses, repeated (`?status=created&status=failure`) or
  comma-separated (`?status=created,failure`).
- `createdAfter`, `createdBefore`: ISO 8601 times (a time without a zone is read as UTC);
  `createdAfter` includes the instant, `createdBefore` excludes it.
- `search`: words; an order matches when each word starts a word of its name, its id, or the
  name of one of its products or parts (`ring 52` finds "Ring size 52"). Served by the text index
  (orders/search.py), never by a `LIKE '%…%'` scan. A product or part matches when each word is in
  one of the names its row shows: its own, its order's, and a part's product's (`SEARCHED_NAMES`).
- `tag`: orders carrying that tag.
- `finishedAfter`, `finishedBefore`: when the order reached Success (as `createdAfter`/`Before`).
- `deadlineAfter`, `deadlineBefore`: the order's deadline (as `createdAfter`/`Before`).
- `flow`: orders whose latest flow run is of the flow with this key.
- `waitingFor`: comma-separated tags; orders with a task waiting for a person that carries one
  of them (the dashboard's "waiting for you").
- `ordering`: one of `name`, `status`, `value`, `createdAt`, `deadline`, with `-` for descending
  (default `-createdAt`). Every ordering ends with the id, so it is total and keyset-paginable.

`ORDERINGS` on each FilterSet maps an `ordering` value to the model field it sorts by, for
tables that build their own sort links.
"""

from dataclasses import dataclass
from datetime import UTC

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.lookups import GreaterThanOrEqual
from django_filters.fields import IsoDateTimeField

from fabflow import limits
from fabflow.orders import search
from fabflow.orders.models import Order, OrderStatus, Part, Product

# A task run's status while it waits for a person or a connector (flows' TaskStatus.WAITING);
# only manual tasks carry tags, so a waiting task with tags waits for a person.
WAITING = "waiting"


@dataclass(frozen=True)
class SortKey:
    """One column of a total ordering, as keyset pagination needs it."""

    field: str  # model field, or "search_rank" (the text index row, newest is largest)
    descending: bool
    nullable: bool = False


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 time turned into UTC, so no database sees an offset it cannot store."""

    def to_python(self, value):
        parsed = super().to_python(value)
        try:
            return parsed.astimezone(UTC) if parsed is not None else None
        except OverflowError:
            raise ValidationError("The time is out of range", code="invalid") from None


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class CommaSeparatedSelectMultiple(forms.SelectMultiple):
    """Reads a multiple choice from repeated parameters and from comma-separated values."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if values is None:
            return []
        if isinstance(values, str):
            values = [values]
        return [item.strip() for value in values for item in str(value).split(",") if item.strip()]


class SortedFilterSet(django_filters.FilterSet):
    """A FilterSet whose `ordering` parameter picks one of ORDERINGS, always ending with the id.

    After `.qs`, `sort_keys` holds the columns the result is ordered by (for cursors).
    """

    ORDERINGS: dict[str, str] = {}
    NULLABLE: frozenset[str] = frozenset()
    DEFAULT_ORDERING = "-createdAt"

    ordering = django_filters.ChoiceFilter(method="keep", label="Ordering", empty_label=None)
    createdAfter = UtcDateTimeFilter(field_name="created_at", lookup_expr="gte")
    createdBefore = UtcDateTimeFilter(field_name="created_at", lookup_expr="lt")

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        choices = []
        for name in self.ORDERINGS:
            choices += [(name, name), (f"-{name}", f"-{name}")]
        self.filters["ordering"].extra["choices"] = choices
        self.sort_keys: list[SortKey] = []
        self.is_searching = False

    def keep(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        for name, value in self.form.cleaned_data.items():
            if isinstance(value, str):
                value = value.replace("\x00", "")
            queryset = self.filters[name].filter(queryset, value)
        return self.sort(queryset, self.form.cleaned_data.get("ordering") or self.DEFAULT_ORDERING)

    def sort(self, queryset: QuerySet, ordering: str) -> QuerySet:
        descending = ordering.startswith("-")
        name = ordering.lstrip("-")
        field = self.ORDERINGS[name]
        if self.is_searching and field == "created_at":
            # Index rows are written in creation order: walk the index instead of sorting.
            self.sort_keys = [SortKey("search_rank", descending)]
            return queryset.order_by("-search_rank" if descending else "search_rank")
        self.sort_keys = [
            SortKey(field, descending, field in self.NULLABLE),
            SortKey("id", descending),
        ]
        if field in self.NULLABLE:
            expression = (
                F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
            )
        else:
            # No NULLS LAST on a column that has no nulls: SQLite would sort every row instead
            # of walking the column's index.
            expression = F(field).desc() if descending else F(field).asc()
            queryset = _whole_range(queryset, field)
        return queryset.order_by(expression, "-id" if descending else "id")


def _whole_range(queryset: QuerySet, field: str) -> QuerySet:
    """On SQLite, state that `field` lies within its whole range (true of every row).

    With one tenant holding most rows, SQLite's planner otherwise prefers sorting the whole table
    to walking the (tenant, field) index for a first page; a range on the field tips it over.
    Text (and SQLite's text times) sort after '' and numbers after -1e308.
    """
    if connection.vendor != "sqlite" or field == "created_at":
        return queryset
    numeric = queryset.model._meta.get_field(field).get_internal_type() in {
        "DecimalField",
        "FloatField",
        "IntegerField",
        "BigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
    }
    return queryset.filter(GreaterThanOrEqual(F(field), Value(-1e308 if numeric else "")))


class OrderFilterSet(SortedFilterSet):
    """Filters and orderings of the order list (API `GET /orders`, the UI's order table)."""

    ORDERINGS = {
        "name": "name",
        "status": "status",
        "value": "value",
        "createdAt": "created_at",
        "deadline": "deadline",
    }
    NULLABLE = frozenset({"deadline"})

    # distinct=False: a status never multiplies rows, and DISTINCT would stop the index walk.
    status = django_filters.MultipleChoiceFilter(
        choices=OrderStatus.choices, widget=CommaSeparatedSelectMultiple, distinct=False
    )
    search = django_filters.CharFilter(method="filter_search", max_length=200)
    tag = django_filters.CharFilter(method="filter_tag", max_length=50)
    # Orders carrying any of these comma-separated tags (the web UI's "my tags" filter).
    anyTag = django_filters.BaseCSVFilter(method="filter_any_tag")
    finishedAfter = UtcDateTimeFilter(field_name="finished_at", lookup_expr="gte")
    finishedBefore = UtcDateTimeFilter(field_name="finished_at", lookup_expr="lt")
    deadlineAfter = UtcDateTimeFilter(field_name="deadline", lookup_expr="gte")
    deadlineBefore = UtcDateTimeFilter(field_name="deadline", lookup_expr="lt")
    flow = django_filters.CharFilter(field_name="flow_key", max_length=100)
    waitingFor = django_filters.BaseCSVFilter(method="filter_waiting_for")

    class Meta:
        model = Order
        fields = [
            "status",
            "createdAfter",
            "createdBefore",
            "search",
            "tag",
            "anyTag",
            "finishedAfter",
            "finishedBefore",
            "deadlineAfter",
            "deadlineBefore",
            "flow",
            "waitingFor",
            "ordering",
        ]

    def filter_search(self, queryset, name, value):
        if not search.query_words(value):
            return queryset
        self.is_searching = True
        return search.search_orders(queryset, value)

    def filter_tag(self, queryset, name, value):
        tag = value.strip()
        if not tag:
            return queryset
        if connection.vendor == "postgresql":
            return queryset.filter(tags__contains=[tag])
        return queryset.filter(_carries_tag(queryset, "= %s", [tag]))

    def filter_any_tag(self, queryset, name, value):
        tags = [tag.strip() for tag in value or () if tag.strip()]
        if not tags:
            return queryset
        if connection.vendor == "postgresql":
            return queryset.filter(tags__has_any_keys=tags)
        placeholders = ", ".join(["%s"] * len(tags))
        return queryset.filter(_carries_tag(queryset, f"IN ({placeholders})", tags))

    def filter_waiting_for(self, queryset, name, value):
        tags = [tag.strip() for tag in value or () if tag.strip()][: limits.MAX_TAGS]
        if not tags:
            return queryset
        # Tasks belong to the flows app, which builds on orders: reached through the relation.
        tasks = Order._meta.get_field("tasks").related_model
        if connection.vendor == "postgresql":
            waiting = tasks.objects.filter(
                order=OuterRef("pk"), status=WAITING, tags__has_any_keys=tags
            )
            return queryset.filter(Exists(waiting))
        placeholders = ", ".join(["%s"] * len(tags))
        table, task_table = Order._meta.db_table, tasks._meta.db_table
        task_tags = f"CASE WHEN json_valid({task_table}.tags) THEN {task_table}.tags END"
        return queryset.filter(
            RawSQL(
                f"{table}.id IN (SELECT order_id FROM {task_table} WHERE status = %s AND EXISTS "
                f"(SELECT 1 FROM json_each({task_tags}) WHERE json_each.value IN ({placeholders})))",
                [WAITING, *tags],
                output_field=BooleanField(),
            )
        )


def _carries_tag(queryset: QuerySet, condition: str, params: list) -> RawSQL:
    """On SQLite, whether one of an order's tags meets `condition` (SQL on `json_each.value`).

    json_each() reads no tags where what is stored is no JSON (it would fail the whole list)."""
    table = queryset.model._meta.db_table
    tags = f"CASE WHEN json_valid({table}.tags) THEN {table}.tags END"
    return RawSQL(
        f"EXISTS (SELECT 1 FROM json_each({tags}) WHERE json_each.value {condition})",
        params,
        output_field=BooleanField(),
    )


class ProductFilterSet(SortedFilterSet):
    """Filters and orderings of the product list (API `GET /products`, the UI's product table)."""

    ORDERINGS = {
        "name": "name",
        "units": "units",
        "unitValue": "unit_value",
        "createdAt": "created_at",
    }

    # The names a row shows, which `search` looks in: its own and its order's.
    SEARCHED_NAMES = ("name", "order__name")

    search = django_filters.CharFilter(method="filter_search", max_length=200)

    class Meta:
        model = Product
        fields = ["createdAfter", "createdBefore", "search", "ordering"]

    def filter_search(self, queryset, name, value):
        return search.search_children(queryset, value, names=self.SEARCHED_NAMES)


class PartFilterSet(ProductFilterSet):
    """Filters and orderings of the part list (API `GET /parts`, the UI's part table)."""

    ORDERINGS = {"name": "name", "createdAt": "created_at"}
    SEARCHED_NAMES = ("name", "product__name", "order__name")

    class Meta:
        model = Part
        fields = ["createdAfter", "createdBefore", "search", "ordering"]
