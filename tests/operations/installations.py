"""Whole installations for the operations tests: each its own data folder and databases (a SQLite
file, or new databases on the PostgreSQL server of the PostgreSQL pass), real worker processes,
and the operations driver to reach them."""

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

from tests.flows.conftest import REPOSITORY, Installation

POSTGRES_URL = os.environ.get("FABFLOW_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
ENGINES = ["sqlite", "postgresql"] if POSTGRES_URL.startswith("postgres") else ["sqlite"]


class OperatedInstallation(Installation):
    """An installation driven through tests/operations/driver.py, with backup and restore."""

    def call(self, fn, **kwargs):
        if self.driver is None:
            self.driver = subprocess.Popen(
                [sys.executable, "-m", "tests.operations.driver"],
                env={**self.env, "PYTHONPATH": str(REPOSITORY)},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                cwd=self.root,
            )
        return super().call(fn, **kwargs)

    def close_driver(self) -> None:
        """Stop the driver process (it is started again by the next call)."""
        if self.driver is not None:
            self.driver.stdin.close()
            self.driver.wait(timeout=15)
            self.driver.stdout.close()
            self.driver = None

    def fabflow(self, *argv) -> subprocess.CompletedProcess:
        """Run a `fabflow` command; its exit status is the caller's to check."""
        return subprocess.run(
            [sys.executable, "-m", "fabflow.cli", *argv],
            env=self.env,
            cwd=self.root,
            capture_output=True,
            text=True,
        )

    def database_fingerprint(self) -> dict:
        """The row counts of every table and the hash of every stored file."""
        return {"counts": self.call("table_counts"), "files": self.call("stored_files")}


@contextlib.contextmanager
def new_installation(root: Path, engine: str, *, migrate: bool = True):
    """A new installation on `engine` under `root`, migrated unless told not to."""
    root.mkdir(parents=True, exist_ok=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "SMTP_", "FABFLOW_", "DBOS_"))
    }
    env.update(
        FABFLOW_DATA_DIR=str(root / "var"),
        SECRET_KEY="operations-tests-only",
        FABFLOW_ALLOW_PRIVATE_WEBHOOKS="true",
        FABFLOW_PUBLIC_URL="http://fabflow.test",
        LOG_LEVEL="WARNING",
    )
    names = []
    if engine == "postgresql":
        import psycopg

        base = POSTGRES_URL.rsplit("/", 1)[0]
        name = f"ops_{uuid.uuid4().hex[:12]}"
        names = [name, f"{name}_dbos"]
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = f"{base}/{name}"
    installation = OperatedInstallation(root, env)
    try:
        if migrate:
            installation.run("migrate", "-v0")
        yield installation
    finally:
        installation.stop()
        if names:
            import psycopg

            with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
                for name in names:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
