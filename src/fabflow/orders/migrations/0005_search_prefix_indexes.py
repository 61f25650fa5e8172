"""SQLite: rebuild the orders' text index with prefix indexes (see orders/search.py)."""

from django.db import migrations


def add_prefix_indexes(apps, schema_editor):
    from fabflow.orders import search

    search.add_sqlite_prefix_indexes(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("orders", "0004_sort_indexes_end_in_id")]

    # Going back keeps the prefix indexes: the index answers the same queries with or without.
    operations = [migrations.RunPython(add_prefix_indexes, migrations.RunPython.noop)]
