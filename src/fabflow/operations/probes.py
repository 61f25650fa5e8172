"""Probes of what Fabflow depends on: the database, DBOS's system database, file storage, the
mail server and the flow workers. `/readyz` and `fabflow check` run them.

Each probe returns a `ProbeResult` and never raises. Its `detail` names the problem for the
operator (`fabflow check`, the log); `/readyz` answers anonymous callers with the state alone.
"""

import sqlite3
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

CONNECT_TIMEOUT_SECONDS = 3
PROBE_FOLDER = ".fabflow-probes"


@dataclass(frozen=True)
class ProbeResult:
    """What one probe found: `ok`, and a sentence for the operator."""

    name: str
    ok: bool
    detail: str


def _run(name: str, probe: Callable[[], str]) -> ProbeResult:
    try:
        return ProbeResult(name, True, probe())
    except Exception as error:  # a probe reports every failure as the part's state
        return ProbeResult(name, False, f"{type(error).__name__}: {error}".strip())


def database() -> ProbeResult:
    """The application database answers a query and holds Fabflow's tables."""

    def probe() -> str:
        name = str(settings.DATABASES["default"]["NAME"])
        if connection.vendor == "sqlite" and not _is_memory(name) and not Path(name).exists():
            raise FileNotFoundError(f"no database at {name}")
        from fabflow.orders.models import Order

        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {Order._meta.db_table} LIMIT 1")
            cursor.fetchall()
        return f"{connection.vendor} answers"

    return _run("database", probe)


def system_database() -> ProbeResult:
    """DBOS's system database (where the flow engine keeps its durable state) answers."""

    def probe() -> str:
        url = settings.DBOS_SYSTEM_DATABASE_URL
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[1]
            if not Path(path).exists():
                raise FileNotFoundError(f"no system database at {path} (no worker has started)")
            # mode=rw: a probe must never create the file it looks for.
            with sqlite3.connect(
                f"file:{path}?mode=rw", uri=True, timeout=CONNECT_TIMEOUT_SECONDS
            ) as sqlite:
                sqlite.execute("SELECT 1").fetchall()
            sqlite.close()
            return "sqlite answers"
        import psycopg

        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_SECONDS) as postgres:
            postgres.execute("SELECT 1").fetchall()
        return "postgresql answers"

    return _run("system_database", probe)


def storage() -> ProbeResult:
    """File storage: the S3 bucket answers a HEAD; local files take a write, a read, a delete."""

    def probe() -> str:
        from django.core.files.storage import default_storage

        bucket = getattr(default_storage, "bucket_name", None)
        if bucket:
            default_storage.connection.meta.client.head_bucket(Bucket=bucket)
            return f"bucket {bucket} answers"
        name = f"{PROBE_FOLDER}/{uuid.uuid4().hex}"
        written = default_storage.save(name, ContentFile(b"fabflow"))
        try:
            with default_storage.open(written) as file:
                if file.read() != b"fabflow":
                    raise OSError("a probe file read back differently")
        finally:
            default_storage.delete(written)
        return f"{default_storage.location} takes a write, a read and a delete"

    return _run("storage", probe)


def mail() -> ProbeResult:
    """The mail server accepts a connection and answers EHLO and NOOP."""

    def probe() -> str:
        if not settings.SMTP_HOST:
            return f"no SMTP_HOST: e-mail is kept in {settings.EMAIL_FILE_PATH}"
        import smtplib

        kind = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        with kind(
            settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=CONNECT_TIMEOUT_SECONDS
        ) as server:
            server.ehlo()
            if settings.EMAIL_USE_TLS:
                server.starttls()
                server.ehlo()
            code, _ = server.noop()
            if code != 250:
                raise OSError(f"NOOP answered {code}")
        return f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT} answers EHLO and NOOP"

    return _run("mail", probe)


def workers() -> ProbeResult:
    """A flow worker has heart-beaten recently (within the time after which another takes
    its work over)."""

    def probe() -> str:
        from fabflow.flows.models import WorkerHeartbeat
        from fabflow.flows.worker import DEAD_AFTER_SECONDS

        youngest = WorkerHeartbeat.objects.order_by("-seen_at").values("executor_id", "seen_at")
        latest = youngest.first()
        if latest is None:
            raise LookupError("no worker has ever started")
        age = (timezone.now() - latest["seen_at"]).total_seconds()
        if age > DEAD_AFTER_SECONDS:
            raise TimeoutError(
                f"the youngest heartbeat ({latest['executor_id']}) is {age:.0f} s old, "
                f"more than {DEAD_AFTER_SECONDS:.0f} s"
            )
        return f"{latest['executor_id']} heart-beat {age:.1f} s ago"

    return _run("workers", probe)


def _is_memory(name: str) -> bool:
    """Whether a SQLite database name is an in-memory one (the tests' database)."""
    return name == ":memory:" or "mode=memory" in name


def run(probes) -> tuple[list[ProbeResult], float]:
    """Run `probes` in order; their results and the seconds they took together."""
    started = time.perf_counter()
    results = [probe() for probe in probes]
    return results, time.perf_counter() - started


READINESS = (database, system_database, storage, workers)
CHECKS = (database, system_database, storage, mail)
