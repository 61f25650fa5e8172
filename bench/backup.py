"""Benchmark: a backup → restore round trip of an installation of N orders.

    python bench/backup.py --orders 100000
    python scripts/with_postgres.py python bench/backup.py --orders 100000   (also into PostgreSQL)

Builds (once) a SQLite installation of N orders with bench/dataset.py, then times `fabflow backup`
(a .tar.gz) and `fabflow restore` into a new SQLite installation; with a PostgreSQL server
(FABFLOW_TEST_POSTGRES_URL or a postgres DATABASE_URL) also the move into PostgreSQL, and that
installation's own backup (pg_dump) and restore. Prints the archive sizes and wall times.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def fabflow(env: dict, *argv: str) -> float:
    """Run a `fabflow` command; return its wall time in seconds."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "fabflow.cli", *argv], env=env, check=True)
    return time.perf_counter() - started


def environment(data_dir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FABFLOW_", "DBOS_"))}
    env.update(DATABASE_URL=database_url, FABFLOW_DATA_DIR=str(data_dir), SECRET_KEY="bench")
    return env


def build_source(orders: int) -> dict:
    url = f"sqlite:///{REPOSITORY / 'var' / 'bench' / f'backup-{orders}.sqlite3'}"
    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            str(REPOSITORY / "bench" / "dataset.py"),
            f"--orders={orders}",
            f"--database-url={url}",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    data_dir = Path(url.removeprefix("sqlite:///")).parent / "data"
    return environment(data_dir, url)


def postgres_base() -> str:
    url = os.environ.get("FABFLOW_TEST_POSTGRES_URL") or os.environ.get("DATABASE_URL", "")
    return url.rsplit("/", 1)[0] if url.startswith("postgres") else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000)
    args = parser.parse_args()
    source = build_source(args.orders)
    rows = []
    with tempfile.TemporaryDirectory(prefix="fabflow-bench-backup-") as scratch:
        scratch = Path(scratch)
        archive = scratch / "sqlite.tar.gz"
        seconds = fabflow(source, "backup", str(archive))
        rows.append(("backup, SQLite → .tar.gz", seconds, archive.stat().st_size))
        target = environment(scratch / "sqlite", f"sqlite:///{scratch / 'sqlite' / 'db.sqlite3'}")
        rows.append(("restore into SQLite", fabflow(target, "restore", str(archive)), None))
        shutil.rmtree(scratch / "sqlite")
        base = postgres_base()
        if base:
            rows += postgres_round_trip(base, scratch, archive)
    print(f"\nbackup → restore of {args.orders:,} orders")
    print(f"{'step':<40} {'seconds':>8} {'archive':>12}")
    for step, seconds, size in rows:
        shown = f"{size / 1e6:.1f} MB" if size is not None else ""
        print(f"{step:<40} {seconds:8.1f} {shown:>12}")
    return 0


def postgres_round_trip(base: str, scratch: Path, archive: Path) -> list:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        target = environment(scratch / "pg", f"{base}/{name}")
        rows = [("restore into PostgreSQL (the move)", fabflow(target, "restore", str(archive)))]
        dump = scratch / "postgresql.tar.gz"
        rows.append(("backup, PostgreSQL → .tar.gz", fabflow(target, "backup", str(dump))))
        rows.append(
            ("restore into PostgreSQL (--force)", fabflow(target, "restore", str(dump), "--force"))
        )
        return [rows[0] + (None,), rows[1] + (dump.stat().st_size,), rows[2] + (None,)]
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
            for database in (name, f"{name}_dbos"):
                connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    sys.exit(main())
