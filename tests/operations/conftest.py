"""Fixtures of the operations tests: a DBOS system database that answers, a live worker."""

import sqlite3

import pytest
from django.db import connection
from django.utils import timezone

from fabflow.flows.models import WorkerHeartbeat
from tests.files.conftest import s3_environment, s3_server, s3_storage  # noqa: F401  (real S3)
from tests.flows.conftest import smtp_server  # noqa: F401  (a real SMTP server)


@pytest.fixture
def system_database(settings, tmp_path, db):
    """A system database that answers: a SQLite file, or on PostgreSQL the test database."""
    if connection.vendor == "postgresql":
        database = connection.settings_dict
        settings.DBOS_SYSTEM_DATABASE_URL = (
            f"postgresql://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
            f"{database['PORT']}/{database['NAME']}"
        )
    else:
        path = tmp_path / "dbos.sqlite3"
        sqlite3.connect(path).close()
        settings.DBOS_SYSTEM_DATABASE_URL = f"sqlite:///{path}"
    return settings.DBOS_SYSTEM_DATABASE_URL


@pytest.fixture
def media_root(settings, tmp_path):
    root = tmp_path / "files"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def live_worker(db):
    now = timezone.now()
    return WorkerHeartbeat.objects.create(
        executor_id="worker-a", hostname="host", pid=1, started_at=now, seen_at=now
    )
