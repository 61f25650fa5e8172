"""Which release a database comes from: the migrations it has applied that this code knows."""

from django.db import connection
from django.db.migrations.loader import MigrationLoader


def unknown_migrations(applied) -> list[str]:
    """The names (`app.migration`) among `applied` [(app, name)] that this release does not
    have: a database that has them was migrated by a newer release."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for replacement in loader.replacements.values():
        known.update(replacement.replaces)
    return sorted(f"{app}.{name}" for app, name in map(tuple, applied) if (app, name) not in known)


def unknown_applied_migrations(using: str = "default") -> list[str]:
    """`unknown_migrations` of the migrations recorded in the database `using`."""
    from django.db import connections
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connections[using] if using else connection)
    if not recorder.has_table():
        return []
    return unknown_migrations(recorder.applied_migrations())
