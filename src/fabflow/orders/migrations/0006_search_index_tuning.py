"""PostgreSQL: planner statistics and the GIN pending list of the text index (orders/search.py)."""

from django.db import migrations


def tune(apps, schema_editor):
    from fabflow.orders import search

    search.tune_postgresql_index(schema_editor)


def untune(apps, schema_editor):
    from fabflow.orders import search

    search.untune_postgresql_index(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("orders", "0005_search_prefix_indexes")]

    operations = [migrations.RunPython(tune, untune)]
