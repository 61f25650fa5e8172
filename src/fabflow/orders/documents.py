"""The API's documents of orders, products and parts, written as JSON by the database.

A page of 50 orders holds some 450 products and parts with their ids, times, files and the
latest run's tasks. Reading them as rows and building dicts in Python took twice as long as
having the database write them (docs/api.md): here one query per page has SQLite
(`json_object`) or PostgreSQL (`json_build_object`) write each document, and the answer joins
their texts. What the documents
hold is declared once, in `fabflow.orders.shapes` (CONTRACT.md's OrderOut, ProductOut and PartOut,
field for field): each field is read from its column as its kind says, and only the fields read
from other rows are written here. The SQL is written once per process.

The few rules of the answer live here as SQL: ids in their dashed form, times in UTC as
"2024-05-01T09:30:00[.123456]Z", money with two decimals, a product's deadline falling back to
its order's, an owner's thumbnail (its newest preview image) and an order's tasks (those of its
latest run).

A stored value the answer cannot hold as its schema says (a time that is no time or beyond year
9999, an amount beyond its column's precision, JSON that does not parse or has another shape, a
status no version defines) is answered as null, and logged at WARNING on `fabflow.stored` with
its row's id (fabflow.fields reads the same rows this way for the pages). The SQL writes such a
value as a marker text naming the row; the marker holds a secret drawn when the process starts,
so no stored text can pass for one.
"""

import json
import logging
import re
import secrets
from functools import cache
from uuid import UUID

from django.db import connection
from pydantic_core import to_json

from fabflow.accounts.models import ProductSpace
from fabflow.flows.models import TaskRun
from fabflow.orders import shapes
from fabflow.orders.models import Asset, AssetKind, Order, Part, Product
from fabflow.orders.shapes import Field, Kind, Shape

logger = logging.getLogger("fabflow.stored")

API_ROOT = "/api/v1"
# Stands, in the SQL's answer, for a value that cannot be answered: `MARKER<table>.<field>:<id>`.
MARKER = f"fabflow-invalid-{secrets.token_hex(16)}:"
MARKED = re.compile(f'"{MARKER}([a-z_]+)\\.([a-z_]+):([^"]*)"')
# The largest amount a money column holds: 14 digits, 2 of them decimals.
MONEY_BOUND = "1e12"

ORDER = Order._meta.db_table
PRODUCT = Product._meta.db_table
PART = Part._meta.db_table
ASSET = Asset._meta.db_table
TASK = TaskRun._meta.db_table
SPACE = ProductSpace._meta.db_table

# PostgreSQL writes a time as the answer does; SQLite stores it as "2024-05-01 09:30:00[.123456]".
POSTGRESQL_TIME_TEXT = (
    "to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS') || "
    "CASE WHEN mod(date_part('microseconds', {column})::bigint, 1000000) = 0 THEN '' "
    "ELSE to_char({column} AT TIME ZONE 'UTC', '.US') END || 'Z'"
)


def _pairs(fields: dict[str, str]) -> str:
    return ", ".join(f"'{key}', {value}" for key, value in fields.items())


def _marker(table: str, field: str, id_text: str) -> str:
    """The SQL of the marker answered for the unreadable `field` of the row `id_text`."""
    return f"('{MARKER}{table}.{field}:' || {id_text})"


def _checked(column: str, value: str, is_valid: str, marker: str) -> str:
    """`value` (written from `column`) where the stored value `is_valid`, else the marker;
    NULL stays NULL (tested second: most columns hold no NULL)."""
    return f"CASE WHEN {is_valid} THEN {value} WHEN {column} IS NULL THEN NULL ELSE {marker} END"


def _one_of(column: str, choices) -> str:
    return f"{column} IN ({', '.join(repr(str(choice)) for choice in choices)})"


class _SQLite:
    """How each piece of a document is written in SQLite's SQL."""

    @staticmethod
    def id(column: str) -> str:
        # Stored as 32 hex digits.
        return (
            f"lower(substr({column}, 1, 8) || '-' || substr({column}, 9, 4) || '-' || "
            f"substr({column}, 13, 4) || '-' || substr({column}, 17, 4) || '-' || "
            f"substr({column}, 21))"
        )

    @staticmethod
    def time(column: str, marker: str) -> str:
        # Django writes "YYYY-MM-DD HH:MM:SS[.ffffff]"; datetime() gives back the same seconds
        # only for such a text, and (moved by nothing) only for a day the calendar has: Feb 30
        # becomes Mar 2. Python has no year 0. The seconds are compared without their fraction:
        # datetime() rounds to milliseconds, so .9995 s and more would read as the next second.
        is_valid = (
            f"(length({column}) = 19 OR (length({column}) = 26 "
            f"AND substr({column}, 20) GLOB '.[0-9][0-9][0-9][0-9][0-9][0-9]')) "
            f"AND datetime(substr({column}, 1, 19), '+0 days') = substr({column}, 1, 19) "
            f"AND substr({column}, 1, 4) <> '0000'"
        )
        return _checked(column, f"replace({column}, ' ', 'T') || 'Z'", is_valid, marker)

    @staticmethod
    def json(column: str, shape: str, marker: str) -> str:
        # json() fails on text that is no JSON. Django writes JSON without leading spaces: its
        # first character tells the shape, cheaper to read than json_type().
        first = {"object": "{", "array": "[[]"}[shape]
        is_valid = f"{column} GLOB '{first}*' AND json_valid({column})"
        return _checked(column, f"json({column})", is_valid, marker)

    @staticmethod
    def words(column: str, marker: str) -> str:
        """A JSON array of strings (tags)."""
        is_valid = (
            f"{column} GLOB '[[]*' AND json_valid({column}) AND NOT EXISTS "
            f"(SELECT 1 FROM json_each({column}) WHERE json_each.type <> 'text')"
        )
        return _checked(column, f"json({column})", is_valid, marker)

    @staticmethod
    def money(column: str, marker: str) -> str:
        is_valid = f"typeof({column}) IN ('integer', 'real') AND abs({column}) < {MONEY_BOUND}"
        return _checked(column, f"printf('%%.2f', {column})", is_valid, marker)

    @staticmethod
    def boolean(column: str) -> str:
        return f"json(CASE WHEN {column} THEN 'true' ELSE 'false' END)"

    @staticmethod
    def object(fields: dict[str, str]) -> str:
        return f"json_object({_pairs(fields)})"

    @staticmethod
    def array(document: str, table: str, alias: str, where: str, order_by: str) -> str:
        # Rows reach the aggregate in the subquery's order (SQLite 3.40 has no ORDER BY in it),
        # and the documents stay JSON, not text to parse again, built in the aggregate itself.
        return (
            f"(SELECT json_group_array({document}) FROM (SELECT *, {_SQLite.id('id')} AS id_text "
            f"FROM {table} {alias} WHERE {where} ORDER BY {order_by}) {alias})"
        )

    @staticmethod
    def own_id(alias: str) -> str:
        # Written once per row by `rows` and `array`, and read by the row's children too.
        return f"{alias}.id_text"

    @staticmethod
    def rows(table: str, where: str) -> str:
        return f"(SELECT *, {_SQLite.id('id')} AS id_text FROM {table} WHERE {where})"

    @staticmethod
    def text(document: str) -> str:
        return document

    @staticmethod
    def compact(text: str) -> str:
        return text  # json_object writes compact JSON

    @staticmethod
    def ids(column: str, ids: list) -> tuple[str, list]:
        values = [value.hex if isinstance(value, UUID) else UUID(str(value)).hex for value in ids]
        return f"{column} IN ({', '.join(['%s'] * len(values))})", values


class _PostgreSQL:
    """How each piece of a document is written in PostgreSQL's SQL."""

    @staticmethod
    def id(column: str) -> str:
        return f"{column}::text"

    @staticmethod
    def time(column: str, marker: str) -> str:
        # timestamptz holds `infinity` and years up to 294276, beyond an ISO 8601 answer.
        is_valid = f"{column} >= '0001-01-01Z' AND {column} < '10000-01-01Z'"
        return _checked(column, POSTGRESQL_TIME_TEXT.format(column=column), is_valid, marker)

    @staticmethod
    def json(column: str, shape: str, marker: str) -> str:
        is_valid = f"jsonb_typeof({column}) = '{shape}'"
        return _checked(column, column, is_valid, f"to_jsonb({marker})")

    @staticmethod
    def words(column: str, marker: str) -> str:
        """A JSON array of strings (tags)."""
        is_valid = (
            f"jsonb_typeof({column}) = 'array' "
            f"AND NOT jsonb_path_exists({column}, '$[*] ? (@.type() != \"string\")')"
        )
        return _checked(column, column, is_valid, f"to_jsonb({marker})")

    @staticmethod
    def money(column: str, marker: str) -> str:
        # numeric(14, 2) writes its two decimals, and holds NaN.
        return _checked(column, f"{column}::text", f"{column} <> 'NaN'", marker)

    @staticmethod
    def boolean(column: str) -> str:
        return column

    @staticmethod
    def own_id(alias: str) -> str:
        return f"{alias}.id::text"

    @staticmethod
    def rows(table: str, where: str) -> str:
        return f"(SELECT * FROM {table} WHERE {where})"

    @staticmethod
    def object(fields: dict[str, str]) -> str:
        return f"json_build_object({_pairs(fields)})"

    @staticmethod
    def array(document: str, table: str, alias: str, where: str, order_by: str) -> str:
        return (
            f"(SELECT coalesce(json_agg({document} ORDER BY {order_by}), '[]') "
            f"FROM {table} {alias} WHERE {where})"
        )

    @staticmethod
    def text(document: str) -> str:
        return f"({document})::text"  # not a value psycopg would parse

    @staticmethod
    def compact(text: str) -> str:
        # json_build_object writes `"key" : value, …`: written again the way every other answer
        # of the API is (and SQLite's are), for clients that read the text itself. A document
        # nesting deeper than Python parses (stored by hand) is answered as PostgreSQL wrote it.
        try:
            return to_json(json.loads(text)).decode()
        except (RecursionError, ValueError):
            return text

    @staticmethod
    def ids(column: str, ids: list) -> tuple[str, list]:
        # One array parameter keeps the statement's text the same whatever the page's size.
        values = [value if isinstance(value, UUID) else UUID(str(value)) for value in ids]
        return f"{column} = ANY(%s)", [values]


def _sql():
    return _SQLite if connection.vendor == "sqlite" else _PostgreSQL


class _Row:
    """The checked values of a row of `table` under the alias `alias` (see `_checked`)."""

    def __init__(self, sql, table: str, alias: str, *, id_text: str | None = None):
        self.sql, self.table, self.alias = sql, table, alias
        self.id_text = id_text or sql.own_id(alias)

    def _marker(self, field: str) -> str:
        return _marker(self.table, field, self.id_text)

    def time(self, field: str) -> str:
        return self.sql.time(f"{self.alias}.{field}", self._marker(field))

    def money(self, field: str) -> str:
        return self.sql.money(f"{self.alias}.{field}", self._marker(field))

    def object(self, field: str) -> str:
        return self.sql.json(f"{self.alias}.{field}", "object", self._marker(field))

    def array(self, field: str) -> str:
        return self.sql.json(f"{self.alias}.{field}", "array", self._marker(field))

    def words(self, field: str) -> str:
        return self.sql.words(f"{self.alias}.{field}", self._marker(field))

    def choice(self, field: str, choices) -> str:
        column = f"{self.alias}.{field}"
        return _checked(column, column, _one_of(column, choices), self._marker(field))

    def value(self, field: Field) -> str:
        """The SQL of `field` read from its column, as its kind says."""
        column = f"{self.alias}.{field.column}"
        match field.kind:
            case Kind.ID:
                return self.id_text if field.column == "id" else self.sql.id(column)
            case Kind.TEXT | Kind.INTEGER:
                return column
            case Kind.BOOLEAN:
                return self.sql.boolean(column)
            case Kind.MONEY:
                return self.money(field.column)
            case Kind.TIME:
                return self.time(field.column)
            case Kind.OBJECT:
                return self.object(field.column)
            case Kind.ARRAY:
                return self.array(field.column)
            case Kind.WORDS:
                return self.words(field.column)
            case Kind.CHOICE:
                return self.choice(field.column, field.choices.values)
        raise ValueError(f"{field.name} is read from other rows: its SQL must be written")

    def document(self, shape: Shape, written: dict[str, str]) -> str:
        """The SQL of this row's document of `shape`: each field read from its column, but
        those in `written`, whose SQL is given (read from other rows, or already at hand)."""
        unknown = written.keys() - set(shape.names)
        if unknown:
            raise ValueError(f"{shape.name} has no field {', '.join(sorted(unknown))}")
        return self.sql.object(
            {
                field.name: written[field.name] if field.name in written else self.value(field)
                for field in shape.fields
            }
        )


def _asset_document(sql, a: str) -> str:
    row = _Row(sql, ASSET, a)
    return row.document(shapes.ASSET, {"downloadUrl": _download_url(row.id_text)})


def asset_url(asset_id) -> str:
    """Where a file's content is downloaded."""
    return f"{API_ROOT}/assets/{asset_id}/content"


def _download_url(id_text: str) -> str:
    """`asset_url` in SQL, around the SQL of a file's id as text."""
    before, after = asset_url("{id}").split("{id}")
    return f"'{before}' || {id_text} || '{after}'"


def _files(sql, owner: str, owner_id: str) -> dict[str, str]:
    """An owner's thumbnail and files: the newest preview image, and every file, oldest first."""
    thumbnail = (
        f"(SELECT {_download_url(sql.id('thumb.id'))} FROM {ASSET} thumb "
        f"WHERE thumb.{owner}_id = {owner_id} AND thumb.kind = '{AssetKind.PREVIEW.value}' "
        f"AND substr(thumb.content_type, 1, 6) = 'image/' "
        f"ORDER BY thumb.created_at DESC, thumb.id DESC LIMIT 1)"
    )
    assets = sql.array(
        _asset_document(sql, "a"), ASSET, "a", f"a.{owner}_id = {owner_id}", "a.created_at, a.id"
    )
    return {"thumbnailUrl": thumbnail, "assets": assets}


def _part_document(
    sql, t: str, *, product_id: str | None = None, order_id: str | None = None
) -> str:
    """A part `t`; `product_id` and `order_id`, the text of its product's and order's ids
    where the query has them already."""
    row = _Row(sql, PART, t)
    known_ids = {"productId": product_id, "orderId": order_id}
    return row.document(
        shapes.PART,
        {
            **{name: id_text for name, id_text in known_ids.items() if id_text},
            **_files(sql, "part", f"{t}.id"),
        },
    )


def _product_document(sql, p: str, o: str, *, order_id: str | None = None) -> str:
    """A product `p` of the order `o` (both table aliases); `order_id` as in `_part_document`."""
    order_id = order_id or sql.id(f"{p}.order_id")
    row = _Row(sql, PRODUCT, p)
    order = _Row(sql, ORDER, o, id_text=order_id)
    return row.document(
        shapes.PRODUCT,
        {
            "orderId": order_id,
            "orderName": f"{o}.name",
            "deadline": f"coalesce({row.time('deadline')}, {order.time('deadline')})",
            "parts": sql.array(
                _part_document(sql, "pt", product_id=row.id_text, order_id=order_id),
                PART,
                "pt",
                f"pt.product_id = {p}.id",
                "pt.position, pt.id",
            ),
            **_files(sql, "product", f"{p}.id"),
        },
    )


def _task_document(sql, t: str) -> str:
    return _Row(sql, TASK, t).document(shapes.TASK, {})


def _order_document(sql, o: str) -> str:
    row = _Row(sql, ORDER, o)
    # Run ids grow with time: the greatest is the latest run's.
    latest_run = (
        f"(SELECT r.run_id FROM {TASK} r WHERE r.order_id = {o}.id ORDER BY r.run_id DESC LIMIT 1)"
    )
    return row.document(
        shapes.ORDER,
        {
            "spaceKey": "s.key",
            "flowKey": f"nullif({o}.flow_key, '')",
            "products": sql.array(
                _product_document(sql, "p", o, order_id=row.id_text),
                PRODUCT,
                "p",
                f"p.order_id = {o}.id",
                "p.position, p.id",
            ),
            **_files(sql, "order", f"{o}.id"),
            "tasks": sql.array(
                _task_document(sql, "t"),
                TASK,
                "t",
                f"t.order_id = {o}.id AND t.run_id = {latest_run}",
                "t.stage_index, t.created_at, t.task_key",
            ),
        },
    )


def _documents(select: str, table: str, ids: list, *, join: str = "") -> list[str]:
    """The JSON texts of the documents `select` writes for the rows `x` of `table` whose id is
    in `ids`, in the order of `ids` (those not found left out); `join` adds tables to read."""
    if not ids:
        return []
    sql = _sql()
    where, params = sql.ids("id", ids)
    statement = (
        f"SELECT {sql.own_id('x')}, {sql.text(select)} FROM {sql.rows(table, where)} x {join}"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        found = dict(cursor.fetchall())
    texts = (found.get(str(value if isinstance(value, UUID) else UUID(value))) for value in ids)
    return [sql.compact(_unmarked(text)) for text in texts if text is not None]


def _unmarked(text: str) -> str:
    """`text` with every marker answered as null, each logged with its row's id."""
    if MARKER not in text:
        return text
    for table, field, row_id in MARKED.findall(text):
        logger.warning("Stored value not readable: %s %s, field %s", table, row_id, field)
    return MARKED.sub("null", text)


@cache
def _select(sql, document, *aliases: str) -> str:
    """The SQL `document(sql, *aliases)` writes: the same for every request of the process."""
    return document(sql, *aliases)


def order_documents(order_ids: list) -> list[str]:
    """The JSON texts of the orders `order_ids` (UUIDs or their text), in that order."""
    return _documents(
        _select(_sql(), _order_document, "x"),
        ORDER,
        order_ids,
        join=f"JOIN {SPACE} s ON s.id = x.space_id",
    )


def product_documents(product_ids: list) -> list[str]:
    """The JSON texts of the products `product_ids`, in that order."""
    return _documents(
        _select(_sql(), _product_document, "x", "o"),
        PRODUCT,
        product_ids,
        join=f"JOIN {ORDER} o ON o.id = x.order_id",
    )


def part_documents(part_ids: list) -> list[str]:
    """The JSON texts of the parts `part_ids`, in that order."""
    return _documents(_select(_sql(), _part_document, "x"), PART, part_ids)


def task_documents(task_ids: list) -> list[str]:
    """The JSON texts of the task runs `task_ids`, in that order."""
    return _documents(_select(_sql(), _task_document, "x"), TASK, task_ids)


def json_array(texts: list[str]) -> str:
    return f"[{','.join(texts)}]"
