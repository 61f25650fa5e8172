"""`fabflow restore`: put an installation back as a backup holds it, or move it to PostgreSQL.

Nothing is changed before the whole archive has been extracted and every member checked against
its SHA-256, the archive's migrations are known to this release, its files fit this
installation's storage, and the installation is empty (or `force` is given). Then:

- same engine: the databases are put back as they were (SQLite's backup API, or pg_restore);
  flows in flight go on where they were, as after a restart;
- a SQLite backup into a PostgreSQL installation (the move to PostgreSQL): the app database is
  copied row by row (`rowcopy`) and DBOS's system database starts empty. The progress of every
  flow is in the app database: tasks waiting for a person or a connector hold no workflow and
  simply wait on, and each task that was pending or running is enqueued again under its own
  workflow id, so it runs (again, from its start, as after a crash) on the new database.

Then this release's migrations are applied, and the row counts are compared with the backup's.
"""

import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from fabflow.operations import files, releases, rowcopy
from fabflow.operations.archive import ExtractedArchive, Refused, extract_verified
from fabflow.operations.backup import APP_MEMBER, DBOS_MEMBER, installation_databases
from fabflow.operations.databases import (
    Database,
    empty_database,
    restore_postgresql,
    restore_sqlite,
)


@dataclass(frozen=True)
class RestoreSummary:
    moved: bool
    counts: dict[str, int]
    mismatches: dict[str, tuple[int, int]]
    requeued: int


def restore_backup(path: Path, *, force: bool = False) -> RestoreSummary:
    """Restore the backup at `path` into this installation (see the module's docstring)."""
    app, dbos = installation_databases()
    scratch_parent = Path(settings.DATA_DIR)
    scratch_parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".restore-", dir=scratch_parent) as scratch:
        archive = extract_verified(path, Path(scratch))
        _check_restorable(archive, app, force=force)
        connections.close_all()
        source = archive.manifest["engine"]
        requeued = 0
        if source == app.engine:
            _restore_databases(archive, app, dbos)
        else:
            _move_to_postgresql(archive, dbos)
        call_command("migrate", interactive=False, verbosity=0)
        if source != app.engine:
            requeued = requeue_started_tasks()
        files.restore_stored_files(archive)
    counts = rowcopy.table_counts()
    expected = archive.manifest["counts"]
    mismatches = {
        table: (count, counts.get(table, 0))
        for table, count in expected.items()
        if counts.get(table, 0) != count
    }
    return RestoreSummary(
        moved=source != app.engine, counts=counts, mismatches=mismatches, requeued=requeued
    )


def _check_restorable(archive: ExtractedArchive, app: Database, *, force: bool) -> None:
    unknown = releases.unknown_migrations(archive.manifest["migrations"])
    if unknown:
        raise Refused(
            "The backup was made by a newer release of Fabflow (its database has migrations "
            f"this release does not know: {', '.join(unknown)}); restore it with that release"
        )
    if archive.manifest["engine"] == "postgresql" and app.engine == "sqlite":
        raise Refused("A PostgreSQL backup restores into a PostgreSQL installation only")
    files.check_restorable(archive)
    if not force and installation_has_data():
        raise Refused(
            "This installation is not empty: it has organizations or stored files. "
            "Restoring replaces all of them; give --force to do so"
        )


def installation_has_data() -> bool:
    from fabflow.accounts.models import Organization

    tables = connection.introspection.table_names()
    if Organization._meta.db_table in tables and Organization.objects.exists():
        return True
    return files.has_stored_files()


def _restore_databases(archive: ExtractedArchive, app: Database, dbos: Database) -> None:
    restore = restore_sqlite if app.engine == "sqlite" else restore_postgresql
    restore(archive.member(APP_MEMBER[app.engine]), app)
    if archive.has(DBOS_MEMBER[app.engine]):
        restore(archive.member(DBOS_MEMBER[app.engine]), dbos)
    else:
        empty_database(dbos)


def _move_to_postgresql(archive: ExtractedArchive, dbos: Database) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    rowcopy.open_source(str(archive.member(APP_MEMBER["sqlite"])))
    try:
        rowcopy.copy_rows()
    finally:
        rowcopy.close_source()
    empty_database(dbos)


def requeue_started_tasks() -> int:
    """Enqueue every task that is pending or running: each is (or was) carried by a workflow,
    and on a new system database none of them has one. Enqueuing under the task's own workflow
    id is idempotent; tasks waiting for a person or a connector hold no workflow."""
    from fabflow.flows import worker
    from fabflow.flows.models import TaskRun, TaskStatus

    work = [
        (str(pk), attempt)
        for pk, attempt in TaskRun.objects.filter(
            status__in=[TaskStatus.PENDING, TaskStatus.RUNNING]
        ).values_list("pk", "attempt")
    ]
    worker.enqueue(work)
    return len(work)
