"""A live Fabflow server and a headless Chromium for the browser tests.

The server is a real `fabflow web` process (gunicorn) on a free port of 127.0.0.1, over its own
database: a SQLite file, or a fresh database on the PostgreSQL cluster the suite runs against.
The browser is the system's Chromium, driven through Playwright (never a downloaded browser).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("The browser tests need Debian's chromium package (apt-get install chromium)")


@pytest.fixture(scope="session")
def server_database(tmp_path_factory):
    """The DATABASE_URL of an empty database the live server alone uses."""
    postgres = os.environ.get("FABFLOW_TEST_POSTGRES_URL")
    if not postgres:
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e-db') / 'fabflow.sqlite3'}"
        return
    import psycopg

    name = f"fabflow_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    base = postgres.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def fabflow_server(tmp_path_factory, server_database):
    """A migrated, seeded `fabflow web` server: its base URL and the seeded ids."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    env = dict(
        os.environ,
        DATABASE_URL=server_database,
        FABFLOW_DATA_DIR=str(data_dir),
        SECRET_KEY="e2e-secret-key-not-for-production",
        TIME_ZONE="UTC",
    )
    env.pop("DEBUG", None)
    run = {"env": env, "cwd": REPOSITORY, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v", "0"], **run)
    seeded = json.loads(subprocess.run([sys.executable, "-m", "tests.e2e.seed"], **run).stdout)
    port = free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "web", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "4"],
        env=env, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(200):
            try:
                httpx.get(f"{url}/sign-in/", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("The live server did not start")
        if server.poll() is not None:
            pytest.fail((data_dir / "server.log").read_text())
        yield {"url": url, **seeded}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# Module scope: Playwright's event loop must be gone before other tests use the Django ORM.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Every page reports what its Content-Security-Policy blocked; a test's pages must block nothing.
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def page(browser, fabflow_server):
    context = browser.new_context(
        base_url=fabflow_server["url"],
        viewport={"width": 1366, "height": 860},
        accept_downloads=True,
    )
    violations = []
    context.expose_function("reportPolicyViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_POLICY_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert violations == [], "\n".join(violations)


def screenshot(page, name: str) -> None:
    """Save what the page shows under test-output/screenshots/ (a CI artefact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
