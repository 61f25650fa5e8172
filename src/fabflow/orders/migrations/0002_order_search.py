"""The orders' text index (SQLite FTS5 or a PostgreSQL tsvector table); see orders/search.py."""

from django.db import migrations


def create(apps, schema_editor):
    from fabflow.orders import search

    search.create_schema(schema_editor)


def drop(apps, schema_editor):
    from fabflow.orders import search

    search.drop_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
