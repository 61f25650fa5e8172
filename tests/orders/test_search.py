"""The orders' text index: prefix search, and the upgrade that adds SQLite prefix indexes."""

import pytest
from django.db import connection

from fabflow.orders import search
from fabflow.orders.models import Order
from fabflow.orders.services import create_order
from tests.conftest import ring_products


def matching_names(text: str) -> list[str]:
    queryset = search.search_orders(Order.objects.all(), text).order_by("-search_rank")
    return list(queryset.values_list("name", flat=True))


def test_word_prefixes_of_every_length_find_the_order(key_actor, space):
    create_order(actor=key_actor, space=space, name="Goldsmith 2024-017", products=ring_products())
    create_order(actor=key_actor, space=space, name="Silverton 2024-018", products=ring_products())

    for text in ["g", "go", "gol", "gold", "golds", "goldsm", "goldsmi", "goldsmith"]:
        assert matching_names(text) == ["Goldsmith 2024-017"], text
    assert matching_names("2024") == ["Silverton 2024-018", "Goldsmith 2024-017"]
    assert matching_names("silv 018") == ["Silverton 2024-018"]
    assert matching_names("goldsmiths") == []


@pytest.mark.django_db(transaction=True)
def test_the_prefix_upgrade_rebuilds_an_fts5_index_and_leaves_postgresql_as_it_is(key_actor, space):
    if connection.vendor == "postgresql":
        upgrade_leaves_the_postgresql_index_as_it_is(key_actor, space)
    else:
        upgrade_rebuilds_an_fts5_index_without_prefixes_keeping_its_row_numbers()


def upgrade_leaves_the_postgresql_index_as_it_is(key_actor, space):
    create_order(actor=key_actor, space=space, name="Goldsmith 2024-017", products=ring_products())
    indexes_sql = "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname"
    with connection.cursor() as cursor:
        cursor.execute(indexes_sql, [search.TABLE])
        indexes = cursor.fetchall()

    with connection.schema_editor() as editor:
        search.add_sqlite_prefix_indexes(editor)

    with connection.cursor() as cursor:
        cursor.execute(indexes_sql, [search.TABLE])
        assert cursor.fetchall() == indexes
    assert matching_names("gol") == ["Goldsmith 2024-017"]


def upgrade_rebuilds_an_fts5_index_without_prefixes_keeping_its_row_numbers():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {search.TABLE}")
        cursor.execute(
            f"CREATE VIRTUAL TABLE {search.TABLE} USING fts5("
            "document, order_id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')"
        )
        cursor.executemany(
            f"INSERT INTO {search.TABLE} (rowid, document, order_id) VALUES (%s, %s, %s)",
            [(7, "Goldsmith ring", "a" * 32), (9, "Silver band", "b" * 32)],
        )

    with connection.schema_editor() as editor:
        search.add_sqlite_prefix_indexes(editor)
        search.add_sqlite_prefix_indexes(editor)  # a second run finds nothing to do

    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [search.TABLE])
        assert "prefix = '2 3 4 5 6'" in cursor.fetchone()[0]
        cursor.execute(f"SELECT rowid, document, order_id FROM {search.TABLE} ORDER BY rowid")
        assert cursor.fetchall() == [
            (7, "Goldsmith ring", "a" * 32),
            (9, "Silver band", "b" * 32),
        ]
        cursor.execute(
            f"SELECT rowid FROM {search.TABLE} WHERE {search.TABLE} MATCH %s", ['"gold"*']
        )
        assert cursor.fetchall() == [(7,)]
