"""Reading, inserting and updating rows through statements prepared once, for the hot paths.

Compiling a Django query costs 0.2–0.9 ms of Python here (more with joins, related ordering and
`select_related`), many times what the database spends on a primary-key lookup, and a task
transition makes a dozen reads and writes. Here the SQL of each shape of statement is built once
per model and kept:

- reads filter by equality (or membership) on columns and come back as ordinary model instances
  (`Model.from_db`, with the backend's converters applied, as the ORM would);
- updates write the named fields of an instance by its primary key;
- inserts write many rows of one model with one `executemany`. `QuerySet.bulk_create` builds
  model instances and compiles its SQL on every call; creating an order writes four tables, and
  that work took more time than the database itself. The INSERT statement and each column's
  conversion are prepared once per model and connection, and rows are plain dicts of attribute
  name → value. Defaults still apply, so a row only names what differs.

Signals are not sent (Fabflow uses none) and nothing is validated: callers validate.
"""

import json
from dataclasses import dataclass
from functools import cache, lru_cache

from django.db import connections, router
from django.db.models import NOT_PROVIDED, Field, ForeignKey, JSONField, Model, UUIDField


def fetch(
    model: type[Model],
    *,
    for_update: bool = False,
    order_by: tuple[str, ...] = (),
    limit: int | None = None,
    **filters,
) -> list[Model]:
    """The instances of `model` whose columns equal `filters` (attname → value; a list or tuple
    means any of its values), ordered by the attnames in `order_by` ("-name" descending).

    `for_update` locks the rows until the transaction ends (on PostgreSQL; SQLite's writer
    holds the whole database already)."""
    alias = router.db_for_read(model) if not for_update else router.db_for_write(model)
    connection = connections[alias]
    shape = _shape(filters)
    if shape is None:
        return []
    sql, prepare, converters, attnames = _select(
        model,
        alias,
        shape,
        for_update and connection.features.has_select_for_update,
        order_by,
        limit,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(connection, shape, prepare, filters))
        rows = cursor.fetchall()
    instances = []
    for row in rows:
        values = [
            value if convert is None else convert(value, connection)
            for value, convert in zip(row, converters, strict=True)
        ]
        instances.append(model.from_db(alias, attnames, values))
    return instances


def fetch_one(model: type[Model], *, for_update: bool = False, **filters) -> Model | None:
    """The one instance of `model` matching `filters` (by a unique column), or None."""
    found = fetch(model, for_update=for_update, limit=1, **filters)
    return found[0] if found else None


def exists(model: type[Model], **filters) -> bool:
    """Whether a row of `model` matches `filters`."""
    alias = router.db_for_read(model)
    connection = connections[alias]
    shape = _shape(filters)
    if shape is None:
        return False
    sql, prepare = _exists(model, alias, shape)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(connection, shape, prepare, filters))
        return cursor.fetchone() is not None


def update_fields(instance: Model, *attnames: str) -> None:
    """UPDATE the named fields of a saved `instance`, by its primary key."""
    model = type(instance)
    alias = router.db_for_write(model)
    connection = connections[alias]
    sql, fields, pk = _update(model, alias, attnames)
    params = [
        field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields
    ]
    params.append(pk.get_db_prep_value(instance.pk, connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- the statements, built once per shape --------------------------------------------------


def _shape(filters: dict) -> tuple | None:
    """What a statement depends on: each filter's attname, and the size of a list of values
    (None for one value); None when a list is empty, so that nothing can match."""
    shape = tuple(
        (name, len(value) if isinstance(value, list | tuple) else None)
        for name, value in filters.items()
    )
    return None if any(size == 0 for _name, size in shape) else shape


def _params(connection, shape, fields, filters) -> list:
    params = []
    for (name, size), value in zip(shape, filters.values(), strict=True):
        field = fields[name]
        if size is None:
            params.append(field.get_db_prep_value(value, connection, prepared=False))
        else:
            params.extend(
                field.get_db_prep_value(item, connection, prepared=False) for item in value
            )
    return params


def _where(model, alias, shape) -> tuple[str, dict]:
    connection = connections[alias]
    quote = connection.ops.quote_name
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    clauses, fields = [], {}
    for name, size in shape:
        field = by_attname[name]
        column = quote(field.column)
        if size is None:
            clauses.append(f"{column} = %s")
        else:
            clauses.append(f"{column} IN ({', '.join(['%s'] * size)})")
        fields[name] = field
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", fields


@cache
def _select(model, alias, shape, for_update, order_by, limit):
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = model._meta.concrete_fields
    table = model._meta.db_table
    where, prepare = _where(model, alias, shape)
    by_attname = {field.attname: field for field in fields}
    ordering = ", ".join(
        f"{quote(by_attname[name.lstrip('-')].column)}{' DESC' if name.startswith('-') else ''}"
        for name in order_by
    )
    sql = "SELECT {} FROM {}{}{}{}{}".format(
        ", ".join(quote(field.column) for field in fields),
        quote(table),
        where,
        f" ORDER BY {ordering}" if ordering else "",
        f" LIMIT {int(limit)}" if limit is not None else "",
        " FOR UPDATE" if for_update else "",
    )
    converters = []
    for field in fields:
        column = field.get_col(table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        converters.append(_chain(functions, column) if functions else None)
    return sql, prepare, converters, [field.attname for field in fields]


def _chain(functions, expression):
    def convert(value, connection):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


@cache
def _exists(model, alias, shape):
    quote = connections[alias].ops.quote_name
    where, prepare = _where(model, alias, shape)
    return f"SELECT 1 FROM {quote(model._meta.db_table)}{where} LIMIT 1", prepare


@cache
def _update(model, alias, attnames):
    quote = connections[alias].ops.quote_name
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    pk = model._meta.pk
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        quote(model._meta.db_table),
        ", ".join(f"{quote(field.column)} = %s" for field in fields),
        quote(pk.column),
    )
    return sql, fields, pk


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
