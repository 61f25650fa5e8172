"""What a user keeps of the UI across sessions and devices: visible columns and page sizes."""

from django.db import transaction

from fabflow.accounts.actors import Actor
from fabflow.accounts.models import User
from fabflow.errors import Forbidden, InvalidInput

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50


def table_preferences(user: User, table: str) -> dict:
    """The stored choices of `user` for the table named `table` (empty when none, or when what
    is stored is not an object of objects)."""
    return _mapping(_mapping(_mapping(user.preferences).get("tables")).get(table))


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


@transaction.atomic
def save_table_columns(
    *, actor: Actor, table: str, columns: list[str], allowed: list[str], order: list[str] = ()
) -> User:
    """Remember which of the `allowed` columns of `table` the acting user wants to see, and the
    order of the Columns menu (`order`: every column, hidden ones included, as last arranged)."""
    if actor.user is None:
        raise Forbidden("Only a signed-in user has column preferences")
    for name, given in (("columns", columns), ("order", order)):
        unknown = [column for column in given if column not in allowed]
        if unknown:
            raise InvalidInput(f"Unknown column {unknown[0]!r}", field=(name,))
    # Re-read under a lock: another tab may have saved a different table's choice meanwhile.
    user = User.objects.select_for_update().get(pk=actor.user.pk)
    preferences = dict(_mapping(user.preferences))
    tables = dict(_mapping(preferences.get("tables")))
    # In the order chosen: a table shows its columns in this order.
    chosen = list(dict.fromkeys(column for column in columns if column in allowed))
    arranged = {"columns": chosen}
    if order:
        arranged["order"] = list(dict.fromkeys(order))
    tables[table] = {**_mapping(tables.get(table)), **arranged}
    preferences["tables"] = tables
    user.preferences = preferences
    user.save(update_fields=["preferences"])
    actor.user.preferences = preferences
    return user
