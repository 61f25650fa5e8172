"""A live Fabflow web server in a subprocess, on a free port, with a database of its own.

The database is a SQLite file in a temporary folder, or a new database on the PostgreSQL server
the suite runs against (DATABASE_URL), dropped afterwards.
"""

import os
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

BOOTSTRAP = """
import django
django.setup()
from fabflow.accounts.bootstrap import bootstrap_if_empty
print(bootstrap_if_empty().secret)
"""


@dataclass(frozen=True)
class LiveServer:
    url: str
    secret: str
    env: dict


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database_url(tmp_path):
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'live.sqlite3'}"
        return
    import psycopg

    name = f"fabflow_live_{secrets.token_hex(4)}"
    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            connection.execute(f"DROP DATABASE IF EXISTS {name}_dbos WITH (FORCE)")


@contextmanager
def live_server(tmp_path, *, workers: int = 2, threads: int = 1, extra_env: dict | None = None):
    """Migrate a new database, create the first admin and key, and serve it over HTTP."""
    with database_url(tmp_path) as url:
        env = dict(
            os.environ,
            FABFLOW_DATA_DIR=str(tmp_path / "var"),
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="fabflow.settings",
            **(extra_env or {}),
        )
        subprocess.run(
            [sys.executable, "-m", "fabflow.cli", "migrate", "-v", "0"], env=env, check=True
        )
        secret = subprocess.run(
            [sys.executable, "-c", BOOTSTRAP], env=env, check=True, capture_output=True, text=True
        ).stdout.strip()
        port = free_port()
        log = open(tmp_path / "server.log", "w")  # noqa: SIM115 (closed in finally)
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "fabflow.cli",
                "web",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
                "--threads",
                str(threads),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/api/v1/openapi.json", timeout=5).raise_for_status()
                    break
                except httpx.HTTPError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError((tmp_path / "server.log").read_text()) from None
                    time.sleep(0.1)
            yield LiveServer(url=base, secret=secret, env=env)
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            finally:
                log.close()
