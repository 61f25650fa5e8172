"""Inserting many rows of one model with one `executemany`, for the hot write paths.

`QuerySet.bulk_create` builds model instances and compiles its SQL on every call; creating an
order writes four tables, and that work took more time than the database itself. Here the
INSERT statement and each column's conversion are prepared once per model and connection, and
rows are plain dicts of attribute name → value. Defaults still apply, so a row only names what
differs. Signals are not sent (Fabflow uses none) and nothing is validated: callers validate.
"""

import json
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connections, router
from django.db.models import NOT_PROVIDED, Field, ForeignKey, JSONField, Model, UUIDField


@dataclass(frozen=True)
class PreparedRows:
    """An INSERT of many rows with every value already converted for the database."""

    alias: str
    sql: str
    values: list[list]


def prepare_rows(model: type[Model], rows: list[dict]) -> PreparedRows:
    """Build the INSERT of `rows` (dicts keyed by field attnames) without touching the database.

    A write transaction holds the database's write lock from its first statement to its commit:
    preparing the rows before it starts keeps that lock for the database work alone.
    """
    alias = router.db_for_write(model)
    sql, columns = _statement(model, connections[alias].vendor, alias)
    values = [
        [convert(row.get(attname, default)) for attname, default, convert in columns]
        for row in (_with_defaults(model, row) for row in rows)
    ]
    return PreparedRows(alias=alias, sql=sql, values=values)


def execute_rows(prepared: PreparedRows) -> None:
    """Run a prepared INSERT (in the caller's transaction, if any)."""
    if not prepared.values:
        return
    with connections[prepared.alias].cursor() as cursor:
        cursor.executemany(prepared.sql, prepared.values)


def insert_rows(model: type[Model], rows: list[dict]) -> None:
    """INSERT `rows` (dicts keyed by field attnames) into `model`'s table in one statement."""
    if rows:
        execute_rows(prepare_rows(model, rows))


def insert_instance(instance: Model) -> Model:
    """INSERT one unsaved model instance the same way, and mark it saved."""
    model = type(instance)
    insert_rows(
        model, [{f.attname: getattr(instance, f.attname) for f in model._meta.concrete_fields}]
    )
    instance._state.adding = False
    instance._state.db = router.db_for_write(model)
    return instance


def _with_defaults(model: type[Model], row: dict) -> dict:
    for field in _callable_defaults(model):
        if field.attname not in row:
            row[field.attname] = field.default()
    return row


@cache
def _callable_defaults(model: type[Model]) -> tuple[Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if callable(f.default))


@cache
def _statement(model: type[Model], vendor: str, alias: str):
    connection = connections[alias]
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(model._meta.db_table),
        ", ".join(quote(field.column) for field in fields),
        ", ".join(["%s"] * len(fields)),
    )
    columns = [
        (
            field.attname,
            None if field.default is NOT_PROVIDED or callable(field.default) else field.default,
            _converter(field, vendor, alias),
        )
        for field in fields
    ]
    return sql, columns


def _converter(field: Field, vendor: str, alias: str):
    target = field.target_field if isinstance(field, ForeignKey) else field
    if isinstance(target, UUIDField):
        if vendor == "sqlite":
            return lambda value: None if value is None else value.hex
        return _identity
    if field.get_internal_type() in _PLAIN_TYPES:
        return _identity
    connection = connections[alias]
    if vendor == "sqlite" and isinstance(field, JSONField) and field.encoder is None:
        # What Django's SQLite backend stores, without its per-value dispatch.
        return lambda value: None if value is None else json.dumps(value)
    if field.get_internal_type() == "DateTimeField":
        # The rows of one write share their timestamps: convert each distinct one once.
        return lru_cache(maxsize=8)(lambda value: field.get_db_prep_save(value, connection))
    return lambda value: field.get_db_prep_save(value, connection)


def _identity(value):
    return value


# Types whose Python values the database drivers take as they are.
_PLAIN_TYPES = {
    "CharField",
    "TextField",
    "SlugField",
    "EmailField",
    "IntegerField",
    "PositiveIntegerField",
    "BigIntegerField",
    "SmallIntegerField",
    "BooleanField",
}
