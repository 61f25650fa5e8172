"""`fabflow backup`: an installation's databases, files and settings in one archive.

The archive holds the app database and DBOS's system database taken at one instant (see
`databases`), the row count of every table at that instant, the stored files (local storage:
every file under the media root; S3: a list of the objects with their sizes and SHA-256), the
settings in force (secrets left out) and the migrations applied. Files are read after the
databases: an asset row always points to a file written before its row was committed, and a
file written later has no row in the backup, so restore drops it.
"""

import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from fabflow.operations import files
from fabflow.operations.archive import ArchiveWriter
from fabflow.operations.databases import Database, copy_at_one_instant
from fabflow.operations.rowcopy import copied_models

APP_MEMBER = {"sqlite": "database/app.sqlite3", "postgresql": "database/app.pgdump"}
DBOS_MEMBER = {"sqlite": "database/dbos.sqlite3", "postgresql": "database/dbos.pgdump"}
SETTINGS_MEMBER = "settings.json"


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    size: int
    seconds: float
    counts: dict[str, int]
    files: int


def installation_databases() -> tuple[Database, Database]:
    """This installation's app database and DBOS's system database."""
    return (
        Database.from_django(settings.DATABASES["default"]),
        Database.from_url(settings.DBOS_SYSTEM_DATABASE_URL),
    )


def take_backup(path: Path) -> BackupSummary:
    """Write the installation's backup to `path` (.tar, .tar.gz or .tar.xz)."""
    started = time.monotonic()
    app, dbos = installation_databases()
    writer = ArchiveWriter(path)
    try:
        with tempfile.TemporaryDirectory(prefix="fabflow-backup-") as scratch:
            counts = _add_databases(writer, Path(scratch), app, dbos)
            stored = files.add_stored_files(writer)
            writer.add_json(SETTINGS_MEMBER, settings_in_force())
            writer.close(
                {
                    "createdAt": timezone.now().isoformat(),
                    "engine": app.engine,
                    "migrations": applied_migrations(),
                    "counts": counts,
                    "storage": stored,
                }
            )
    except BaseException:
        writer.abandon()
        raise
    return BackupSummary(
        path=path,
        size=path.stat().st_size,
        seconds=time.monotonic() - started,
        counts=counts,
        files=stored["files"],
    )


def _add_databases(writer, scratch: Path, app: Database, dbos: Database) -> dict[str, int]:
    databases, members = [app], [APP_MEMBER[app.engine]]
    if dbos.exists():
        databases.append(dbos)
        members.append(DBOS_MEMBER[app.engine])
    targets = [scratch / Path(member).name for member in members]
    counts = copy_at_one_instant(databases, targets, tables=counted_tables())
    for member, target in zip(members, targets, strict=True):
        writer.add_file(member, target)
    return counts


def counted_tables() -> list[str]:
    """The app tables whose rows a backup counts (and a restore checks)."""
    from fabflow.orders import search

    return [model._meta.db_table for model in copied_models()] + [search.TABLE]


def applied_migrations() -> list[list[str]]:
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


def settings_in_force() -> dict[str, str]:
    """Every setting with the value in force (or its default); secrets are left out."""
    from fabflow import config

    return {
        name: value
        for name, value in config.effective_settings()
        if not config.KNOWN_SETTINGS[name].is_secret
    }
