"""The orders' text index: one row per order over its name, id, product and part names.

SQLite keeps it in an FTS5 table (word tokenizer, prefix queries) and PostgreSQL in a table with a
`tsvector` column under a GIN index. Rows are written in creation order, so the index's own row
number is creation order: a newest-first search walks the index backwards and stops after one page
instead of sorting every match (a sort reads them all). A row is written in the order's creation transaction;
a word tokenizer keeps that write within the create budget, where a trigram index would not.
"""

import functools
import operator
import re
import uuid

from django.db import connection, models
from django.db.models import Exists, Expression, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat, Substr

TABLE = "orders_search"
# Words of a query: letters and digits, as the word tokenizer splits text.
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_WORDS = 8


def document(*, order_id, name: str, product_names, part_names) -> str:
    """The text indexed for one order: its words, split exactly as queries are split.

    (PostgreSQL's parser would otherwise read "2024-017" as "2024" and "-017".) The words of the
    order's id are among them: SQLite finds an order's row by the id's last group
    (`_order_matches`).
    """
    text = " ".join([name, str(order_id), *product_names, *part_names])
    return " ".join(WORD.findall(text))


def index_order(*, order_id, name: str, product_names, part_names) -> None:
    """Add the order's row to the text index (inside the caller's transaction)."""
    sql, params = index_statement(
        order_id=order_id, name=name, product_names=product_names, part_names=part_names
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def index_statement(*, order_id, name: str, product_names, part_names) -> tuple[str, list]:
    """The SQL and parameters that add the order's row to the text index, to run later."""
    text = document(
        order_id=order_id, name=name, product_names=product_names, part_names=part_names
    )
    return document_statement(order_id, text)


def document_statement(order_id: uuid.UUID, text: str) -> tuple[str, list]:
    """The SQL and parameters that add an order's document (its indexed text) to the index."""
    if connection.vendor == "postgresql":
        return (
            f"INSERT INTO {TABLE} (order_id, document) VALUES (%s, to_tsvector('simple', %s))",
            [order_id, text],
        )
    return f"INSERT INTO {TABLE} (order_id, document) VALUES (%s, %s)", [order_id.hex, text]


def query_words(text: str) -> list[str]:
    """The words of a search text, lower-cased, as the index stores them."""
    return [word.lower() for word in WORD.findall(text or "")][:MAX_QUERY_WORDS]


def match_expression(words: list[str]) -> str:
    """The engine's query for rows holding a word starting with each of `words`."""
    if connection.vendor == "postgresql":
        return " & ".join(f"{word}:*" for word in words)
    return " AND ".join('"{}"*'.format(word.replace('"', "")) for word in words)


class DocumentField(models.TextField):
    """The indexed text of an order's index row: an FTS5 column on SQLite, a `tsvector` on
    PostgreSQL. Only ever queried with `matches` (a `match_expression`)."""


@DocumentField.register_lookup
class Matches(models.Lookup):
    """The index row holds a word starting with each word of the match expression."""

    lookup_name = "matches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} @@ to_tsquery('simple', {rhs})", [*lhs_params, *rhs_params]
        # FTS5 matches the table's row (the document is its one indexed column), as the index's
        # own statements and their measured plans do: the row is the hidden column named after
        # the table, qualified by the alias a subquery gives it (`U0`).
        quote = connection.ops.quote_name
        return f"{quote(self.lhs.alias)}.{quote(TABLE)} MATCH {rhs}", rhs_params


def search_orders(queryset: QuerySet, text: str) -> QuerySet:
    """Narrow an Order queryset to orders matching every word of `text` (by word prefix).

    The result carries `search_rank` (the index row: larger is newer); order by it to list
    matches newest first without sorting them all, as `OrderFilterSet` does. The index is
    joined (`Order.search_row`) rather than asked in a subquery, so the database walks the
    matching index rows in that order and stops after one page.
    """
    words = query_words(text)
    if not words:
        return queryset
    return queryset.filter(search_row__document__matches=match_expression(words)).annotate(
        search_rank=RawSQL(rank_column(), [], output_field=models.BigIntegerField())
    )


def rank_column() -> str:
    """The SQL of the index's row number, for keyset pagination over `search_rank`."""
    return f"{TABLE}.rowid" if connection.vendor == "sqlite" else f"{TABLE}.id"


# Below this many matching orders a child search starts from the text index; above it, it walks
# the children in the requested order and reads the index only for names that need it.
FEW_MATCHES = 2_000


def search_children(queryset: QuerySet, text: str, *, names: tuple[str, ...]) -> QuerySet:
    """Narrow a Product or Part queryset to rows of matching orders in which every word is in
    one of the names the row shows: `names` are its fields (`"name"`, `"order__name"`, …).

    The order index holds the order's name and its product and part names, so it finds the
    candidate orders quickly; the name test then keeps the rows the words were about. An
    order's, product's or part's name never changes after creation, so the index stays true.

    A row in which every word starts a word of one of its names already satisfies the index
    (those names are part of its order's document), so for a common term the rows are walked in
    the requested order and the index is consulted, for that row's order alone, only for names
    holding a word in the middle of another: the first page is found without collecting the tens
    of thousands of matching orders first.
    """
    words = query_words(text)
    if not words:
        return queryset
    match = match_expression(words)
    queryset, columns = _with_shown_names(queryset, names)
    for word in words:
        queryset = queryset.filter(_any_column(columns, [("icontains", word)]))
    if _matches_at_most(match, FEW_MATCHES):
        matching = _index_rows().filter(document__matches=match).values("order_id")
        return queryset.filter(order_id__in=matching)
    # A word of one of the names starts with each word: `name LIKE 'w%' OR name LIKE '% w%'`.
    starts = [
        _any_column(columns, [("istartswith", word), ("icontains", f" {word}")]) for word in words
    ]
    return queryset.filter(functools.reduce(operator.and_, starts) | _order_matches(match))


def _order_matches(match: str) -> Expression:
    """The row's order has an index row matching `match`, looked up for that row alone.

    Asked as `order_id IN (every matching order)`, the database collected the whole match set
    before the first row: 54,000 orders for "ring" at 200,000 orders, 100 ms on SQLite and 20 ms
    on PostgreSQL. PostgreSQL finds the index row by its order id, asked as the row's value
    rather than an EXISTS, which it would turn into that same collected set. FTS5 cannot look a
    row up by its unindexed `order_id`, so the match also asks for the last group of the order's
    id, a word of the order's own document (`document`) that is all but unique: FTS5 finds the
    one row holding it from its index, and the equal `order_id` keeps the answer exact.
    """
    rows = _index_rows().filter(order_id=OuterRef("order_id"))
    if connection.vendor == "postgresql":
        found = rows.annotate(found=Matches(F("document"), match)).values("found")[:1]
        return Subquery(found, output_field=models.BooleanField())
    # The id is stored as 32 hex digits; its last 12 are the last group of its text form.
    id_word = Substr(OuterRef("order_id"), 21, 12, output_field=models.TextField())
    match = Concat(Value(f'{match} AND "'), id_word, Value('"'), output_field=models.TextField())
    return Exists(rows.filter(document__matches=match))


def _index_rows() -> QuerySet:
    """The text index's rows (`OrderSearchRow`, whose module imports this one)."""
    from fabflow.orders.models import OrderSearchRow

    return OrderSearchRow.objects.all()


def _with_shown_names(queryset: QuerySet, names: tuple[str, ...]) -> tuple[QuerySet, list[str]]:
    """The queryset with each parent's name (`order__name`) as a column to filter on.

    A parent's name is read by a subquery on the parent's row, not through a join, nor by an
    EXISTS: PostgreSQL, offered either, misjudged how many rows pass and sorted every row of
    the tenant, or read the whole parent table, instead of walking the rows in the requested
    order until a page is full (0.2 s instead of 0.02 s at 20,000 orders)."""
    columns = []
    for name in names:
        relation, _, field = name.rpartition("__")
        if not relation:
            columns.append(name)
            continue
        parent = queryset.model._meta.get_field(relation).related_model
        column = f"shown_{relation}_{field}"
        parents = parent.objects.filter(pk=OuterRef(f"{relation}_id")).values(field)[:1]
        queryset = queryset.alias(**{column: Subquery(parents)})
        columns.append(column)
    return queryset, columns


def _any_column(columns: list[str], lookups: list[tuple[str, str]]) -> Q:
    """One of the columns passes one of the lookups."""
    return functools.reduce(
        operator.or_,
        [Q(**{f"{column}__{lookup}": value}) for column in columns for lookup, value in lookups],
    )


def _matches_at_most(match: str, limit: int) -> bool:
    """Whether at most `limit` orders match (reads at most limit + 1 index rows)."""
    if connection.vendor == "postgresql":
        sql = (
            f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} "
            "WHERE document @@ to_tsquery('simple', %s) LIMIT %s) matches"
        )
    else:
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)"
    with connection.cursor() as cursor:
        cursor.execute(sql, [match, limit + 1])
        return cursor.fetchone()[0] <= limit


# Prefix indexes for query words of 2 to 6 letters: without one, FTS5 answers `"gold"*` by
# merging the row lists of every word that starts with "gold" before it returns a first row
# (10 ms over a million orders for a word in a third of them, 20 ms for two such words); with
# one, it reads the newest rows straight away (0.1 ms). Measured cost: ~3 % of create_order.
# Longer words are rarer, and take the merging path.
SQLITE_OPTIONS = "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6'"
SQLITE_SCHEMA = [
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(document, order_id UNINDEXED, {SQLITE_OPTIONS})",
]
POSTGRESQL_SCHEMA = [
    f"CREATE TABLE {TABLE} (id bigserial PRIMARY KEY, "
    "order_id uuid NOT NULL, document tsvector NOT NULL)",
    f"CREATE INDEX {TABLE}_document ON {TABLE} USING gin (document)",
    f"CREATE INDEX {TABLE}_order ON {TABLE} (order_id)",
]
# PostgreSQL estimates a prefix query (`gold:*`) from the column's most common words, but only
# when ANALYZE kept at least 100 of them; below that it guesses 2 % of the rows for any prefix.
# At the default statistics target (100) ANALYZE keeps only words in more than ~0.14 % of the
# documents: 98 of them on the 100,000-order benchmark. The planner then expected a rare
# customer's 52 orders to be 2,000, walked the index newest first to find them, and read all
# 100,000 rows (22 ms; ten times that at 1,000,000 orders) instead of taking the 52 from the
# GIN index and sorting them (0.5 ms). A target of 1,000 keeps words down to ~0.014 % (7,161
# of them there) and prices a prefix by the words it matches; ANALYZE samples 300,000 rows.
POSTGRESQL_STATISTICS_TARGET = 1000
# GIN adds new rows to a pending list that every search reads whole, merging it into the index
# only when it outgrows gin_pending_list_limit (4 MB by default) or at VACUUM. After a bulk load
# or a busy hour that list held 7,568 documents and made every search 1.5 ms slower (0.13 ms →
# 1.9 ms for a rare word at 100,000 orders). At 64 kB a search reads at most ~60 pending rows
# (0.06 ms) and an insert costs 0.34 ms instead of 0.32 (0.38 ms without a pending list at all).
POSTGRESQL_PENDING_LIST_KB = 64


def create_schema(schema_editor) -> None:
    """Create the text index's tables (used by the migration)."""
    statements = SQLITE_SCHEMA if schema_editor.connection.vendor == "sqlite" else POSTGRESQL_SCHEMA
    for statement in statements:
        schema_editor.execute(statement)


def tune_postgresql_index(schema_editor) -> None:
    """Keep enough of the documents' common words for the planner to price prefix queries and a
    short GIN pending list, then refresh the statistics and merge the pending list (used by a
    migration)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in [
        f"ALTER TABLE {TABLE} ALTER COLUMN document SET STATISTICS {POSTGRESQL_STATISTICS_TARGET}",
        f"ALTER INDEX {TABLE}_document SET (gin_pending_list_limit = {POSTGRESQL_PENDING_LIST_KB})",
        f"SELECT gin_clean_pending_list('{TABLE}_document'::regclass)",
        f"ANALYZE {TABLE}",
    ]:
        schema_editor.execute(statement)


def untune_postgresql_index(schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN document SET STATISTICS -1")
    schema_editor.execute(f"ALTER INDEX {TABLE}_document RESET (gin_pending_list_limit)")


def add_sqlite_prefix_indexes(schema_editor) -> None:
    """Rebuild an FTS5 index made without prefix indexes, keeping its row numbers (used by a
    migration; about 40 s per million orders)."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [TABLE])
        row = cursor.fetchone()
    if row is None or "prefix" in row[0]:
        return
    new_table = f"{TABLE}_rebuilt"
    for statement in [
        f"CREATE VIRTUAL TABLE {new_table} USING fts5("
        f"document, order_id UNINDEXED, {SQLITE_OPTIONS})",
        f"INSERT INTO {new_table} (rowid, document, order_id) "
        f"SELECT rowid, document, order_id FROM {TABLE} ORDER BY rowid",
        f"INSERT INTO {new_table} ({new_table}) VALUES ('optimize')",
        f"DROP TABLE {TABLE}",
        f"ALTER TABLE {new_table} RENAME TO {TABLE}",
    ]:
        schema_editor.execute(statement)


def drop_schema(schema_editor) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
