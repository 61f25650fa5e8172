"""The orders' text index: prefix search, the product and part searches over the names a row
shows, and the upgrade that adds SQLite prefix indexes."""

import json
from decimal import Decimal

import pytest
from django.db import connection

from fabflow.orders import search
from fabflow.orders.filters import PartFilterSet, ProductFilterSet
from fabflow.orders.models import Order, Part, Product
from fabflow.orders.services import PartInput, ProductInput, create_order
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


@pytest.fixture(params=["few matching orders", "many matching orders"])
def child_search_path(request, monkeypatch):
    """Run a product or part search test on both of search_children's paths: from the text
    index (few orders match) and walking the rows in the requested order (many match)."""
    if request.param == "many matching orders":
        monkeypatch.setattr(search, "FEW_MATCHES", 0)
    return request.param


def searched(filterset_class, model, text: str) -> list[tuple[str, ...]]:
    """(order name, [product name,] name) of the rows the list's search finds, sorted."""
    filterset = filterset_class(
        {"search": text, "ordering": "name"},
        queryset=model.objects.all(),
    )
    assert filterset.is_valid(), filterset.errors
    fields = (
        ["order__name", "name"] if model is Product else ["order__name", "product__name", "name"]
    )
    return sorted(filterset.qs.values_list(*fields))


def lamp_order(key_actor, space, name: str):
    products = [
        ProductInput(
            name="Name lamp",
            units=1,
            unit_value=Decimal("59.50"),
            parts=[PartInput(name="Letters"), PartInput(name="Base")],
        ),
        ProductInput(name="Storage box", units=1, unit_value=Decimal("34.00"), parts=[]),
    ]
    return create_order(actor=key_actor, space=space, name=name, products=products)


def test_products_are_found_by_their_orders_name(key_actor, space, child_search_path):
    lamp_order(key_actor, space, "Goldsmith 2024-017")
    lamp_order(key_actor, space, "Silverton 2024-018")

    assert searched(ProductFilterSet, Product, "goldsm") == [
        ("Goldsmith 2024-017", "Name lamp"),
        ("Goldsmith 2024-017", "Storage box"),
    ]
    # Words may come from the order's name and the product's own name together.
    assert searched(ProductFilterSet, Product, "gold lamp") == [("Goldsmith 2024-017", "Name lamp")]
    assert searched(ProductFilterSet, Product, "2024-018 box") == [
        ("Silverton 2024-018", "Storage box")
    ]
    assert searched(ProductFilterSet, Product, "lamp") == [
        ("Goldsmith 2024-017", "Name lamp"),
        ("Silverton 2024-018", "Name lamp"),
    ]
    # A part's name is not a name the product list shows.
    assert searched(ProductFilterSet, Product, "letters") == []
    assert searched(ProductFilterSet, Product, "gold silver") == []


def products_named(*names: str) -> list[ProductInput]:
    return [
        ProductInput(name=name, units=1, unit_value=Decimal("10.00"), parts=[]) for name in names
    ]


def test_a_word_inside_a_name_counts_when_its_orders_index_row_holds_the_word(
    key_actor, space, child_search_path
):
    create_order(
        actor=key_actor, space=space, name="Both", products=products_named("Earring", "Ring")
    )
    alone = create_order(
        actor=key_actor, space=space, name="Alone", products=products_named("Earring")
    )
    # This order's index row holds "ring" and the last group of the id of "Alone": a row of
    # another order, which says nothing about "Alone".
    mentions = f"Mentions {str(alone.order.pk).rsplit('-', 1)[1]}"
    create_order(actor=key_actor, space=space, name=mentions, products=products_named("Ring"))

    assert searched(ProductFilterSet, Product, "ring") == [
        ("Both", "Earring"),
        ("Both", "Ring"),
        (mentions, "Ring"),
    ]


def test_parts_are_found_by_their_products_and_orders_names(key_actor, space, child_search_path):
    lamp_order(key_actor, space, "Goldsmith 2024-017")
    lamp_order(key_actor, space, "Silverton 2024-018")

    assert searched(PartFilterSet, Part, "silverton") == [
        ("Silverton 2024-018", "Name lamp", "Base"),
        ("Silverton 2024-018", "Name lamp", "Letters"),
    ]
    assert searched(PartFilterSet, Part, "lamp") == [
        ("Goldsmith 2024-017", "Name lamp", "Base"),
        ("Goldsmith 2024-017", "Name lamp", "Letters"),
        ("Silverton 2024-018", "Name lamp", "Base"),
        ("Silverton 2024-018", "Name lamp", "Letters"),
    ]
    # One word from each of the three names.
    assert searched(PartFilterSet, Part, "gold name let") == [
        ("Goldsmith 2024-017", "Name lamp", "Letters")
    ]
    assert searched(PartFilterSet, Part, "base") == [
        ("Goldsmith 2024-017", "Name lamp", "Base"),
        ("Silverton 2024-018", "Name lamp", "Base"),
    ]
    # The box has no parts; a sibling product's name is no name a part shows.
    assert searched(PartFilterSet, Part, "storage") == []
    assert searched(PartFilterSet, Part, "gold box") == []


def test_the_api_lists_search_the_names_a_row_shows(client, secret_key, key_actor, space):
    lamp_order(key_actor, space, "Goldsmith 2024-017")
    lamp_order(key_actor, space, "Silverton 2024-018")

    def items(path: str) -> list[dict]:
        response = client.get(
            f"/api/v1/{path}", headers={"Authorization": f"Bearer {secret_key.secret}"}
        )
        assert response.status_code == 200
        return response.json()["items"]

    products = items("products?search=goldsmith&ordering=name")
    assert [(p["orderName"], p["name"]) for p in products] == [
        ("Goldsmith 2024-017", "Name lamp"),
        ("Goldsmith 2024-017", "Storage box"),
    ]
    parts = items("parts?search=silverton+lamp&ordering=name")
    assert [part["name"] for part in parts] == ["Base", "Letters"]
    assert {part["orderId"] for part in parts} == {
        str(Order.objects.get(name="Silverton 2024-018").pk)
    }


@pytest.mark.django_db(transaction=True)
def test_the_prefix_upgrade_rebuilds_an_fts5_index_and_leaves_postgresql_as_it_is(key_actor, space):
    if connection.vendor == "postgresql":
        upgrade_leaves_the_postgresql_index_as_it_is(key_actor, space)
    else:
        upgrade_rebuilds_an_fts5_index_without_prefixes_keeping_its_row_numbers()


def upgrade_leaves_the_postgresql_index_as_it_is(key_actor, space):
    create_order(actor=key_actor, space=space, name="Goldsmith 2024-017", products=ring_products())
    assert_schema_kept(
        "SELECT indexdef FROM pg_indexes WHERE tablename = %s ORDER BY indexname",
        search.add_sqlite_prefix_indexes,
    )
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


# Documents of six words, four of them unique to the document: enough words that ANALYZE at the
# default statistics target keeps fewer than 100 common ones, as with real orders at scale.
CORPUS_SQL = f"""
INSERT INTO {search.TABLE} (order_id, document)
SELECT gen_random_uuid(), to_tsvector('simple', concat_ws(' ', 'order', n, md5(n::text),
    md5((n + 1)::text), (ARRAY['gold', 'silver', 'steel', 'oak'])[n % 4 + 1],
    CASE WHEN n % 5000 = 0 THEN 'maes123' END))
FROM generate_series(1, 30000) AS n
"""
NEWEST_MATCHES_SQL = (
    f"EXPLAIN (FORMAT JSON) SELECT id FROM {search.TABLE} "
    "WHERE document @@ to_tsquery('simple', %s) ORDER BY id DESC LIMIT 51"
)


def newest_matches_plan(match: str) -> tuple[float, set[str]]:
    """The planner's estimate of the rows matching `match`, and the indexes its newest-first
    page reads."""
    with connection.cursor() as cursor:
        cursor.execute(NEWEST_MATCHES_SQL, [match])
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    indexes, estimates, nodes = set(), [], [plan[0]["Plan"]]
    while nodes:
        node = nodes.pop(0)
        if "Index Name" in node:
            indexes.add(node["Index Name"])
        if node.get("Relation Name") == search.TABLE:
            estimates.append(node["Plan Rows"])
        nodes += node.get("Plans", [])
    return estimates[0], indexes


@pytest.mark.django_db(transaction=True)
def test_postgresql_prices_a_rare_prefix_from_statistics_and_keeps_a_short_pending_list():
    if connection.vendor != "postgresql":
        sqlite_keeps_its_index_as_it_is()
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute "
            "WHERE attrelid = %s::regclass AND attname = 'document'",
            [search.TABLE],
        )
        assert cursor.fetchone() == (1000,)
        # New rows wait in a short GIN pending list, which every search reads whole.
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE relname = %s", [f"{search.TABLE}_document"]
        )
        assert cursor.fetchone() == (["gin_pending_list_limit=64"],)
        cursor.execute(CORPUS_SQL)
        cursor.execute(f"ANALYZE {search.TABLE}")

    rare_estimate, rare_indexes = newest_matches_plan("maes123:*")
    common_estimate, common_indexes = newest_matches_plan("gold:*")

    # 6 documents hold the rare word and 7,500 the common one; without the larger target both
    # were guessed at 600 (2 %) and the rare page walked all 30,000 rows newest first.
    assert rare_estimate < 60
    assert rare_indexes == {f"{search.TABLE}_document"}
    assert common_estimate > 3000
    assert common_indexes == {f"{search.TABLE}_pkey"}


def sqlite_keeps_its_index_as_it_is():
    assert_schema_kept(
        "SELECT sql FROM sqlite_master WHERE name = %s", search.tune_postgresql_index
    )


def assert_schema_kept(schema_sql: str, upgrade) -> None:
    """The search table's schema (read by `schema_sql`) is the same after `upgrade` runs."""
    with connection.cursor() as cursor:
        cursor.execute(schema_sql, [search.TABLE])
        schema = cursor.fetchall()

    with connection.schema_editor() as editor:
        upgrade(editor)

    with connection.cursor() as cursor:
        cursor.execute(schema_sql, [search.TABLE])
        assert cursor.fetchall() == schema


def test_postgresql_connections_compile_no_queries(db):
    """A search the planner prices high spent seconds in JIT compilation to run in a
    millisecond; connections turn JIT off."""
    from fabflow import config

    assert config.database("postgres://shop@db.example/fabflow")["OPTIONS"] == {
        "options": "-c jit=off"
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            assert cursor.fetchone() == ("off",)
