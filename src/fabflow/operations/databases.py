"""The two databases of an installation, copied at one moment and put back.

An installation keeps its data in the app database and the progress of running flow work in
DBOS's system database. A backup takes both as they were at the same instant: it holds the
writers of both off for a moment (SQLite: the write lock of each file; PostgreSQL: a lock on the
task runs and on DBOS's workflow table), opens a snapshot of each while they are held, lets the
writers go on, and copies the snapshots at leisure. Such a pair is exactly what a power cut at
that instant would have left, and the flow engine recovers from that: its transitions are
idempotent, DBOS resumes the workflows it had begun, and the workers' sweep enqueues pending
tasks whose workflow is missing.
"""

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from fabflow.operations.archive import Refused

# Held while both snapshots are opened; writers queue behind it, they do not fail.
LOCK_TIMEOUT_SECONDS = 30
# The tables whose rows tie the two databases together (a task run and its workflow).
APP_LINK_TABLE = "flows_taskrun"
DBOS_LINK_TABLE = "dbos.workflow_status"


@dataclass(frozen=True)
class Database:
    """Where one database is: a SQLite file, or a PostgreSQL database and how to reach it."""

    engine: str  # "sqlite" or "postgresql"
    name: str  # the SQLite file's path, or the PostgreSQL database's name
    host: str = ""
    port: str = ""
    user: str = ""
    password: str = ""

    @classmethod
    def from_django(cls, entry: dict) -> "Database":
        if entry["ENGINE"].endswith("postgresql"):
            return cls(
                engine="postgresql",
                name=entry["NAME"],
                host=entry.get("HOST") or "",
                port=str(entry.get("PORT") or ""),
                user=entry.get("USER") or "",
                password=entry.get("PASSWORD") or "",
            )
        return cls(engine="sqlite", name=str(entry["NAME"]))

    @classmethod
    def from_url(cls, url: str) -> "Database":
        parts = urlsplit(url)
        if parts.scheme.startswith("sqlite"):
            return cls(engine="sqlite", name=unquote(parts.path))
        return cls(
            engine="postgresql",
            name=parts.path.lstrip("/").split("?")[0],
            host=parts.hostname or "",
            port=str(parts.port or ""),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
        )

    def exists(self) -> bool:
        if self.engine == "sqlite":
            return Path(self.name).exists()
        with self.connect(database="postgres") as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.name]
            ).fetchone()
            return found is not None

    def connect(self, *, database: str = "", autocommit: bool = True):
        """A psycopg connection (PostgreSQL only); the password never reaches a command line."""
        import psycopg

        return psycopg.connect(**self.libpq(database), autocommit=autocommit)

    def libpq(self, database: str = "") -> dict:
        options = {"dbname": database or self.name, "host": self.host, "port": self.port}
        options.update(user=self.user, password=self.password)
        return {key: value for key, value in options.items() if value}

    def tool_environment(self) -> dict:
        """The environment of pg_dump and pg_restore: where to connect, and the password."""
        environment = dict(os.environ)
        names = {"host": "PGHOST", "port": "PGPORT", "user": "PGUSER", "password": "PGPASSWORD"}
        for option, variable in names.items():
            value = self.libpq().get(option)
            if value:
                environment[variable] = value
        return environment


# --- taking the snapshots ------------------------------------------------------------------


def copy_at_one_instant(
    databases: list[Database], targets: list[Path], *, tables: list[str]
) -> dict[str, int]:
    """Copy each database to its target file at the same instant (the engines must agree);
    return the row count of each of the first database's `tables` at that instant."""
    if databases[0].engine == "sqlite":
        return _copy_sqlite(databases, targets, tables)
    return _dump_postgresql(databases, targets, tables)


def count_rows(connection, tables: list[str]) -> dict[str, int]:
    """The row count of each table, read on a DB-API connection (SQLite's or psycopg's)."""
    return {
        table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in tables
    }


def _copy_sqlite(databases: list[Database], targets: list[Path], tables: list[str]) -> dict:
    writers = [_sqlite_connection(database.name) for database in databases]
    readers = [_sqlite_connection(database.name) for database in databases]
    try:
        for writer in writers:
            writer.execute("BEGIN IMMEDIATE")
        for reader in readers:
            # A WAL reader's snapshot starts at its first read and lasts until it ends.
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        for writer in writers:
            writer.execute("ROLLBACK")
        counts = count_rows(readers[0], tables)
        for reader, target in zip(readers, targets, strict=True):
            _sqlite_backup(reader, target)
            reader.execute("COMMIT")
        return counts
    finally:
        for connection in writers + readers:
            connection.close()


def _sqlite_connection(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=LOCK_TIMEOUT_SECONDS, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout={LOCK_TIMEOUT_SECONDS * 1000}")
    return connection


def _sqlite_backup(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy the database open in `source` into the file `target_path`, as one file (no WAL)."""
    target = sqlite3.connect(target_path, isolation_level=None)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")
    finally:
        target.close()


def _dump_postgresql(databases: list[Database], targets: list[Path], tables: list[str]) -> dict:
    link_tables = [APP_LINK_TABLE, DBOS_LINK_TABLE]
    with contextlib.ExitStack() as stack:
        lockers = [stack.enter_context(d.connect(autocommit=False)) for d in databases]
        snapshots = [stack.enter_context(d.connect(autocommit=False)) for d in databases]
        for locker, table in zip(lockers, link_tables, strict=False):
            locker.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT_SECONDS}s'")
            if _postgresql_table_exists(locker, table):
                # EXCLUSIVE lets readers on and holds writers off until the commit below.
                locker.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        names = []
        for snapshot in snapshots:
            snapshot.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            names.append(snapshot.execute("SELECT pg_export_snapshot()").fetchone()[0])
        for locker in lockers:
            locker.commit()
        counts = count_rows(snapshots[0], tables)
        # The snapshots stay open (and valid for pg_dump) until the dumps are done.
        for database, target, name in zip(databases, targets, names, strict=True):
            _run_tool(
                "pg_dump",
                ["--format=custom", f"--snapshot={name}", f"--file={target}", database.name],
                database,
            )
        return counts


def _postgresql_table_exists(connection, table: str) -> bool:
    return connection.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is not None


# --- putting them back ---------------------------------------------------------------------


def restore_sqlite(source: Path, database: Database) -> None:
    """Overwrite the SQLite database with the file `source`, through SQLite's backup API (so
    the target's write-ahead log stays consistent)."""
    Path(database.name).parent.mkdir(parents=True, exist_ok=True)
    reader = sqlite3.connect(source, isolation_level=None)
    target = _sqlite_connection(database.name)
    try:
        reader.backup(target)
        target.execute("PRAGMA journal_mode=WAL")
    finally:
        reader.close()
        target.close()


def restore_postgresql(source: Path, database: Database) -> None:
    """Empty the PostgreSQL database (creating it when missing) and load the dump into it."""
    create_postgresql_database(database)
    with database.connect() as connection:
        schemas = connection.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' "
            "AND nspname <> 'information_schema'"
        ).fetchall()
        for (schema,) in schemas:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')
        connection.execute("CREATE SCHEMA public")
    _run_tool(
        "pg_restore",
        ["--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={database.name}", source],
        database,
    )


def create_postgresql_database(database: Database) -> None:
    if database.exists():
        return
    from psycopg import sql

    with database.connect(database="postgres") as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database.name)))


def empty_database(database: Database) -> None:
    """Remove a SQLite database's files, or every schema of a PostgreSQL database."""
    if database.engine == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{database.name}{suffix}").unlink(missing_ok=True)
        return
    if database.exists():
        with database.connect() as connection:
            connection.execute("DROP SCHEMA IF EXISTS dbos CASCADE")


# --- PostgreSQL's client programs ------------------------------------------------------------


def postgresql_program(name: str) -> str:
    """The newest installed `name` (pg_dump, pg_restore): under /usr/lib/postgresql/*/bin, or on
    PATH. A dump needs a pg_dump at least as new as the server."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True):
        candidate = Path(folder) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise Refused(f"{name} is not installed: it comes with PostgreSQL's client programs")
    return found


def _version(folder: str) -> float:
    with contextlib.suppress(ValueError):
        return float(Path(folder).parent.name)
    return 0.0


def _run_tool(name: str, arguments: list, database: Database) -> None:
    completed = subprocess.run(
        [postgresql_program(name), *map(str, arguments)],
        env=database.tool_environment(),
        capture_output=True,
        text=True,
    )
    if completed.returncode != 0:
        raise Refused(f"{name} failed on {database.name}: {completed.stderr.strip()[-2000:]}")
