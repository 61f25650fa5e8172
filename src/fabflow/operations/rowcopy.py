"""Copying an app database to another engine, table by table, through Django's models.

The source is opened as a second database alias and migrated to this release's models first, so
both sides have the same tables. The target's tables are emptied, every model's rows are copied
in dependency order (a row's foreign keys point to rows already copied) with their stored values
as they are (no `auto_now`, no `save()`), the orders' text index is rebuilt from its documents,
and the target's sequences are moved past the copied ids.
"""

import uuid

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connections, models, transaction

SOURCE_ALIAS = "fabflow_source"
BATCH_ROWS = 2000


def copied_models() -> list[type[models.Model]]:
    """Every table-backed model (many-to-many tables included), parents before children."""
    candidates = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    ordered: list[type[models.Model]] = []
    placed: set = set()

    def place(model, visiting=()):
        if model in placed or model in visiting:
            return
        for field in model._meta.concrete_fields:
            parent = field.remote_field.model if field.remote_field else None
            if parent in candidates and parent is not model:
                place(parent, (*visiting, model))
        placed.add(model)
        ordered.append(model)

    for model in candidates:
        place(model)
    return ordered


def table_counts(alias: str = "default") -> dict[str, int]:
    """The number of rows of every copied table, and of the orders' text index."""
    from fabflow.orders import search

    counts = {
        model._meta.db_table: model._base_manager.using(alias).count() for model in copied_models()
    }
    with connections[alias].cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {search.TABLE}")
        counts[search.TABLE] = cursor.fetchone()[0]
    return counts


def open_source(sqlite_path: str) -> None:
    """Make the SQLite file `sqlite_path` reachable as SOURCE_ALIAS, migrated to this release."""
    from django.conf import settings

    from fabflow import config

    entry = config.database(f"sqlite:///{sqlite_path}")
    entry["CONN_MAX_AGE"] = 0
    configured = connections.configure_settings({"default": entry})["default"]
    connections.settings[SOURCE_ALIAS] = configured
    settings.DATABASES[SOURCE_ALIAS] = configured
    call_command("migrate", database=SOURCE_ALIAS, interactive=False, verbosity=0)


def close_source() -> None:
    from django.conf import settings

    connections[SOURCE_ALIAS].close()
    del connections[SOURCE_ALIAS]
    connections.settings.pop(SOURCE_ALIAS, None)
    settings.DATABASES.pop(SOURCE_ALIAS, None)


def copy_rows(source: str = SOURCE_ALIAS, target: str = "default") -> None:
    """Replace every row of `target` with the rows of `source`, in one transaction."""
    ordered = copied_models()
    target_connection = connections[target]
    with transaction.atomic(using=target):
        tables = [model._meta.db_table for model in ordered]
        flush = target_connection.ops.sql_flush(
            no_style(), tables, reset_sequences=False, allow_cascade=True
        )
        target_connection.ops.execute_sql_flush(flush)
        for model in ordered:
            _copy_model(model, source, target)
        _copy_search_index(source, target)
        with target_connection.cursor() as cursor:
            for statement in target_connection.ops.sequence_reset_sql(no_style(), ordered):
                cursor.execute(statement)


def _copy_model(model, source: str, target: str) -> None:
    fields = [field for field in model._meta.concrete_fields]
    manager = model._base_manager
    batch = []
    for row in manager.using(source).order_by("pk").iterator(chunk_size=BATCH_ROWS):
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            manager.using(target)._insert(batch, fields=fields, raw=True, using=target)
            batch = []
    if batch:
        manager.using(target)._insert(batch, fields=fields, raw=True, using=target)


def _copy_search_index(source: str, target: str) -> None:
    """The text index holds a document per order, in creation order: copy the documents."""
    from fabflow.orders import search

    with connections[source].cursor() as reader, connections[target].cursor() as writer:
        writer.execute(f"DELETE FROM {search.TABLE}")
        reader.execute(f"SELECT order_id, document FROM {search.TABLE} ORDER BY rowid")
        while rows := reader.fetchmany(BATCH_ROWS):
            statements = [
                search.document_statement(uuid.UUID(str(order_id)), text) for order_id, text in rows
            ]
            writer.executemany(statements[0][0], [params for _, params in statements])
